"""The Schedule Editor (seed 000, "Smart Integration"): a page's owner edits the page in
the browser with the page's edit token and no API key.

- access.py: the edit token is exchanged once for a grant in the Django session.
- forms.py: one Django form (or formset) per section, with inline errors.
- sections.py: what each section shows and how its cleaned data becomes the
  ConfigurationChanges that pages.services.update_configuration writes.
- views.py: the htmx pages.
"""
