#!/bin/sh
# Re-extract the hosted pages' strings into bookings/locale/de/LC_MESSAGES/django.po,
# keeping the translations already there, then compile django.mo (committed: CI and
# deployments need no gettext tools). Run from anywhere: bookings/locale/update_messages.sh
#
# The project-level locale/ (email strings) belongs to LOCALE_PATHS, where makemessages
# would write by default; this extracts from a copy with LOCALE_PATHS emptied instead.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src/code" "$WORK/src/templates" "$WORK/src/locale"
cp -r "$ROOT/bookings/locale/." "$WORK/src/locale/"
cp "$ROOT"/bookings/*.py "$WORK/src/code/"
cp -r "$ROOT/bookings/views" "$WORK/src/code/views"
cp -r "$ROOT/templates/bookings" "$WORK/src/templates/pages"
# The pages' base and the error pages (404, 500, 403_csrf) at the top of templates/;
# templates/emails is locale/'s.
cp "$ROOT"/templates/*.html "$WORK/src/templates/"
printf 'from scheduler_site.settings import *  # noqa: F403\nLOCALE_PATHS = []\n' \
    > "$WORK/extract_settings.py"
cd "$WORK/src"
PYTHONPATH="$ROOT:$WORK" DJANGO_SETTINGS_MODULE=extract_settings \
    "$ROOT/.venv/bin/django-admin" makemessages -l de --no-obsolete --no-location -v 0
cp "$WORK/src/locale/de/LC_MESSAGES/django.po" "$ROOT/bookings/locale/de/LC_MESSAGES/django.po"
msgfmt --check -o "$ROOT/bookings/locale/de/LC_MESSAGES/django.mo" \
    "$ROOT/bookings/locale/de/LC_MESSAGES/django.po"
echo "Updated bookings/locale/de: translate the empty msgstr entries, then run this again."
