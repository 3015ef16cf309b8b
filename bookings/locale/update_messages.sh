#!/bin/sh
# Re-extract the site's strings into its two catalogs, keeping the translations already
# there, then compile each django.mo (committed: CI and deployments need no gettext
# tools). Run from anywhere: bookings/locale/update_messages.sh
#
#   bookings/locale/<lang>/  the hosted pages: bookings/ code, templates/bookings and the
#                            pages' base and error pages (templates/*.html);
#   locale/<lang>/           the emails: bookings/notifications and templates/emails,
#                            and what pages/sync/writes.py puts in the organizer's calendar.
#
# locale/ belongs to LOCALE_PATHS, where makemessages would write by default; each
# catalog is extracted from a copy holding only its own sources, with LOCALE_PATHS emptied.
# tests/bookings/test_translations_complete.py fails while a msgstr is empty.
set -e
# Django's locale names (zh_Hans is the site's "zh-hans"); English is the source language.
LANGUAGES="fr de es nl sv ja zh_Hans ko"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf 'from scheduler_site.settings import *  # noqa: F403\nLOCALE_PATHS = []\n' \
    > "$WORK/extract_settings.py"

# extract NAME TARGET: run makemessages in $WORK/NAME (sources already copied there) and
# bring the catalogs back to TARGET/<lang>/LC_MESSAGES.
extract() {
    mkdir -p "$WORK/$1/locale"
    cp -r "$2/." "$WORK/$1/locale/"
    for lang in $LANGUAGES; do
        (cd "$WORK/$1" && PYTHONPATH="$ROOT:$WORK" DJANGO_SETTINGS_MODULE=extract_settings \
            "$ROOT/.venv/bin/django-admin" makemessages -l "$lang" --no-obsolete --no-location \
            -v 0)
        mkdir -p "$2/$lang/LC_MESSAGES"
        cp "$WORK/$1/locale/$lang/LC_MESSAGES/django.po" "$2/$lang/LC_MESSAGES/django.po"
        msgfmt --check -o "$2/$lang/LC_MESSAGES/django.mo" "$2/$lang/LC_MESSAGES/django.po"
    done
}

# The hosted pages.
mkdir -p "$WORK/pages/code" "$WORK/pages/templates"
cp "$ROOT"/bookings/*.py "$WORK/pages/code/"
cp -r "$ROOT/bookings/views" "$WORK/pages/code/views"
cp -r "$ROOT/templates/bookings" "$WORK/pages/templates/pages"
cp "$ROOT"/templates/*.html "$WORK/pages/templates/"
extract pages "$ROOT/bookings/locale"

# The emails (and the .ics text they attach), and the copy of a booking written to the
# organizer's own calendar (pages/sync/writes.py).
mkdir -p "$WORK/emails/code" "$WORK/emails/templates"
cp -r "$ROOT/bookings/notifications" "$WORK/emails/code/notifications"
cp "$ROOT/pages/sync/writes.py" "$WORK/emails/code/calendar_writes.py"
cp -r "$ROOT/templates/emails" "$WORK/emails/templates/emails"
extract emails "$ROOT/locale"

echo "Updated bookings/locale and locale: translate the empty msgstr entries, then run this again."
