"""Nine languages: what the hosted API and its web component send is understood (en, fr,
de, es, nl, sv, ja, zh, ko, with or without a region; anything else is English, not a
refused booking), and pages, emails and the .ics speak it with each locale's dates,
clock and plural forms."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import ngettext
from django.views.defaults import server_error

from bookings.languages import LANGUAGES, api_language, supported_language
from bookings.models import Booking
from bookings.notifications import outbox, sending
from bookings.views.language import clock, first_weekday, preferred_hours
from bookings.views.zone_list import resolve_zone, zone_name
from pages.models import Configuration

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # a Tuesday
MONDAY = dt.date(2026, 12, 7)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(slug="intro", title="Intro call", timezone="America/Chicago")


def ten_on_monday() -> int:
    return int(dt.datetime.combine(MONDAY, dt.time(10), tzinfo=CHICAGO).timestamp())


def api_book(api, configuration, **body):
    start = ten_on_monday()
    return api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {
            "start_time": start,
            "end_time": start + 30 * 60,
            "guest": {"name": "Grace Guest", "email": "grace@example.com"},
            "timezone": "Europe/Paris",
            **body,
        },
        format="json",
    )


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def guest_mail(mailoutbox):
    [mail] = [m for m in mailoutbox if "grace@example.com" in m.to[0]]
    return mail


def invite_text(mail) -> str:
    for part in mail.message().walk():
        if part.get_content_type() == "text/calendar":
            event = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
            return str(event.get("description", ""))
    raise AssertionError("no text/calendar part")


# What clients send


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("DE_at", "de"),
        ("zh", "zh"),
        ("zh-Hans", "zh"),
        ("zh-TW", "zh"),
        ("ko-KR", "ko"),
        ("pt-BR", "en"),
        ("xx", "en"),
    ],
)
def test_a_language_tag_is_kept_as_one_the_site_speaks(sent, kept):
    assert api_language(sent) == kept


def test_the_site_speaks_nine_languages_and_django_knows_each():
    assert [supported_language(code) for code in LANGUAGES] == list(LANGUAGES)
    assert {api_language(code) for code in LANGUAGES} == {
        "en", "fr", "de", "es", "nl", "sv", "ja", "zh", "ko"
    }  # fmt: skip
    for code in LANGUAGES:
        assert translation.get_language_info(code)["code"] == code


def test_booking_with_email_language_fr_through_the_api_sends_french_email(api, page, mailoutbox):
    response = api_book(api, page, email_language="fr")
    assert response.status_code == 200, response.content
    booking = Booking.objects.get(pk=response.json()["data"]["booking_id"])
    assert booking.language == "fr"
    got = api.get(f"/v3/scheduling/bookings/{response.json()['data']['booking_ref']}")
    assert got.json()["data"]["email_language"] == "fr"
    deliver_due()
    mail = guest_mail(mailoutbox)
    assert mail.subject == "Confirmé : Intro call"  # a subject's spaces are plain
    assert "Bonjour Grace Guest," in mail.body
    assert "lundi 7 décembre 2026, 17:00 – 17:30" in mail.body  # the guest's zone, Paris
    assert "Votre réservation est confirmée" in mail.body
    assert "Ouvrir cette réservation\u00a0: http" in invite_text(mail)


@pytest.mark.parametrize(("sent", "kept"), [("xx", "en"), ("pt-BR", "en"), ("", "en")])
def test_an_unknown_email_language_books_in_english(api, page, mailoutbox, sent, kept):
    response = api_book(api, page, email_language=sent)
    assert response.status_code == 200, response.content
    assert Booking.objects.get().language in (kept, "")
    deliver_due()
    mail = guest_mail(mailoutbox)
    assert mail.subject == "Confirmed: Intro call"
    assert "Monday, December 7, 2026, 5:00 PM – 5:30 PM" in mail.body


@pytest.mark.parametrize("wrong", [["fr"], {"code": "fr"}, 7])
def test_an_email_language_of_the_wrong_json_type_is_still_refused(api, page, wrong):
    response = api_book(api, page, email_language=wrong)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "email_language" in error["message"]
    assert not Booking.objects.exists()


def test_a_v2_booking_takes_the_locale_the_v2_page_sends(api, page, mailoutbox):
    start = ten_on_monday()
    response = api.post(
        "/schedule/intro/timeslots",
        {
            "slot": {"start": start, "end": start + 1800},
            "name": "Grace Guest",
            "email": "grace@example.com",
            "timezone": "Asia/Tokyo",
            "locale": "ja",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Booking.objects.get().language == "ja"
    deliver_due()
    mail = guest_mail(mailoutbox)
    assert mail.subject == "確定: Intro call"
    assert "2026年12月8日 火曜日 1:00 – 1:30" in mail.body  # Tokyo, the next morning


@pytest.mark.parametrize("locale", ["fr", "fr-CA", "zh", "zh-Hans", "ko", "pt-BR"])
def test_a_configuration_takes_the_locale_a_client_sends(api, api_key, page, locale):
    response = api.put(
        f"/v3/grants/{page.grant_id}/scheduling/configurations/{page.pk}",
        {"scheduler": {}, "locale": locale},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 200, response.content
    assert Configuration.objects.get(pk=page.pk).locale == locale


def test_a_configuration_in_chinese_speaks_simplified_chinese(client, page):
    Configuration.objects.filter(pk=page.pk).update(locale="zh")
    response = client.get("/book/intro/")
    assert response["Content-Language"] == "zh-hans"
    assert "选择时间" in response.content.decode()


# The hosted page


def form_data(**fields) -> dict:
    return {
        "slot": str(ten_on_monday()),
        "tz": "Europe/Paris",
        "lang": "fr",
        "name": "Grace Guest",
        "email": "grace@example.com",
        **fields,
    }


def test_booking_in_french_on_the_hosted_page_sends_french_email(client, page, mailoutbox):
    response = client.post("/book/intro/", form_data(email_language="fr"))
    assert response.status_code == 303
    assert "lang=fr" in response["Location"]
    assert Booking.objects.get().language == "fr"
    confirmation = client.get(response["Location"]).content.decode()
    assert "Votre rendez-vous est réservé" in confirmation
    deliver_due()
    mail = guest_mail(mailoutbox)
    assert mail.subject == "Confirmé : Intro call"
    assert "Bonjour Grace Guest," in mail.body


def test_an_unknown_email_language_on_the_hosted_page_books_in_english(client, page, mailoutbox):
    response = client.post("/book/intro/", form_data(email_language="xx", lang="en"))
    assert response.status_code == 303
    assert Booking.objects.get().language == "en"
    deliver_due()
    assert guest_mail(mailoutbox).subject == "Confirmed: Intro call"


def test_the_downloaded_ics_speaks_the_pages_language(client, page):
    response = client.post("/book/intro/", form_data(email_language="de"))
    manage = response["Location"].split("?")[0]
    ics = client.get(f"{manage}calendar.ics?lang=de")
    if ics.status_code == 404:  # the download's route, whatever it is named
        link = re.search(r'href="([^"]+\.ics[^"]*)"', client.get(response["Location"]).text)
        ics = client.get(link[1].replace("&amp;", "&"))
    assert ics.status_code == 200
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert "Buchung öffnen: http" in str(event["description"])


# Dates, times and names on the page, per language

# (month heading, the first day's heading, the first free time at 16:00 in Berlin)
PAGES = {
    "en": ("December 2026", "Tuesday, December 1", "4:00 PM"),
    "fr": ("décembre 2026", "mardi 1 décembre", "16:00"),
    "de": ("Dezember 2026", "Dienstag, 1. Dezember", "16:00"),
    "es": ("diciembre de 2026", "martes, 1 de diciembre", "16:00"),
    "nl": ("december 2026", "dinsdag 1 december", "16:00"),
    "sv": ("december 2026", "tisdag 1 december", "16:00"),
    "ja": ("2026年12月", "12月1日 火曜日", "16:00"),
    "zh-hans": ("2026年12月", "12月1日 星期二", "16:00"),
    "ko": ("2026년 12월", "12월 1일 화요일", "오후 4:00"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_booking_page_writes_dates_and_times_the_languages_way(client, page, language):
    month, day, first = PAGES[language]
    url = f"/book/intro/?tz=Europe/Berlin&lang={language}"
    response = client.get(url, **HTMX, HTTP_HX_TARGET="picker")
    html = response.content.decode()
    assert month in html
    assert day in html
    assert f">{first}<" in html
    shell = client.get(f"/book/intro/?lang={language}")
    assert shell["Content-Language"] == language
    assert f'<html lang="{language}">' in shell.content.decode()


def test_the_language_switcher_lists_the_nine_by_their_own_names(client, page):
    html = client.get("/book/intro/?lang=ja").content.decode()
    names = re.findall(r'<li>(?:<a [^>]*|<span [^>]*)lang="[^"]+"[^>]*>([^<]+)<', html)
    assert names == [
        "English", "Français", "Deutsch", "Español", "Nederlands", "Svenska", "日本語", "中文",
        "한국어",
    ]  # fmt: skip
    assert '<span aria-current="true" lang="ja">日本語</span>' in html


def test_the_week_starts_on_the_locales_first_day():
    assert [first_weekday(code) for code in LANGUAGES] == [6, 0, 0, 0, 0, 0, 6, 0, 6]


# The clock


@pytest.mark.parametrize(
    ("language", "hours", "written"),
    [
        ("en", None, "4:30 PM"),
        ("ko", None, "오후 4:30"),
        ("ja", None, "16:30"),
        ("zh-hans", None, "16:30"),
        ("fr", None, "16:30"),
        ("ja", 12, "午後4:30"),
        ("zh-hans", 12, "下午4:30"),
        ("es", 12, "4:30 p.\u00a0m."),
        ("sv", 12, "4:30 em"),
        ("ko", 24, "16:30"),
    ],
)
def test_each_language_has_its_own_clock(language, hours, written):
    assert clock(dt.datetime(2026, 12, 7, 16, 30), language, hours) == written


def test_chinese_in_taiwan_reads_twelve_hours_and_in_china_twenty_four():
    assert preferred_hours(None, "zh-TW,zh;q=0.9", "zh-hans") == 12
    assert preferred_hours(None, "zh-CN,zh;q=0.9", "zh-hans") == 24
    assert preferred_hours(None, "ko-KR", "ko") == 12


def test_a_korean_email_reads_the_korean_clock(api, page, mailoutbox):
    api_book(api, page, email_language="ko")
    deliver_due()
    mail = guest_mail(mailoutbox)
    assert mail.subject == "확정: Intro call"
    assert "2026년 12월 7일 월요일 오후 5:00 – 오후 5:30" in mail.body


# Plural forms


def test_french_uses_the_singular_for_zero_and_one():
    with translation.override("fr"):
        words = [ngettext("%(minutes)s minute", "%(minutes)s minutes", n) for n in (0, 1, 2)]
    assert [w % {"minutes": n} for w, n in zip(words, (0, 1, 2), strict=True)] == [
        "0 minute",
        "1 minute",
        "2 minutes",
    ]


def test_japanese_has_one_form_for_every_number():
    with translation.override("ja"):
        words = {ngettext("%(seats)s seat left", "%(seats)s seats left", n) for n in (1, 2, 5)}
    assert words == {"残り %(seats)s 席"}


def test_a_pluralized_message_on_the_page_follows_the_language(client, page):
    assert "30 minutes" in client.get("/book/intro/?lang=fr").content.decode()
    assert "30 分" in client.get("/book/intro/?lang=ja").content.decode()
    assert "30분" in client.get("/book/intro/?lang=ko").content.decode()


# The zone list


@pytest.mark.parametrize(
    ("language", "city"),
    [
        ("en", "Paris"),
        ("fr", "Paris"),
        ("de", "Paris"),
        ("es", "París"),
        ("nl", "Parijs"),
        ("sv", "Paris"),
        ("ja", "パリ"),
        ("zh-hans", "巴黎"),
        ("ko", "파리"),
    ],
)
def test_the_zone_list_names_zones_in_each_language(language, city):
    assert zone_name("Europe/Paris", language).city == city


@pytest.mark.parametrize(
    ("accept", "language", "title"),
    [
        ("fr-FR,fr;q=0.9", "fr", "Cette page n’existe pas"),
        ("es-MX", "es", "Esta página no existe"),
        ("nl-BE", "nl", "Deze pagina bestaat niet"),
        ("sv-SE", "sv", "Den här sidan finns inte"),
        ("ja-JP", "ja", "このページは存在しません"),
        ("zh-CN,zh;q=0.9", "zh-hans", "此页面不存在"),
        ("ko-KR", "ko", "존재하지 않는 페이지입니다"),
        ("pt-BR", "en", "The link may be mistyped"),
    ],
)
def test_the_error_pages_speak_the_browsers_language(client, db, accept, language, title):
    response = client.get("/book/no-such-page/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert title in html


@pytest.mark.parametrize(
    ("language", "title"), [("fr", "Une erreur s’est produite"), ("ko", "문제가 발생했습니다")]
)
def test_the_500_page_speaks_each_language(language, title):
    with translation.override(language):
        html = server_error(RequestFactory().get("/")).content.decode()
    assert title in html


@pytest.mark.parametrize(
    ("locale", "heading"), [("fr", "Choisissez un horaire"), ("zh", "选择时间")]
)
def test_a_v2_page_takes_the_locale_its_editor_sends_and_speaks_it(
    api, client, make_host, locale, heading
):
    from tests.bookings.test_v2_pages import seed_body

    host = make_host("ada@example.com", "America/Los_Angeles", name="Ada")
    body = seed_body(host, str(host.calendars.get(is_primary=True).pk))
    body["config"]["locale"] = locale
    response = api.post(
        "/manage/pages", body, format="json", HTTP_AUTHORIZATION=f"Bearer {host.token}"
    )
    assert response.status_code == 200, response.content
    assert response.json()["config"]["locale"] == locale
    assert heading in client.get(f"/book/{body['slug']}/").content.decode()


@pytest.mark.parametrize(
    ("language", "chosen"),
    [
        ("en", "Monday, December 7, 5:00 PM"),
        ("fr", "lundi 7 décembre, 17:00"),
        ("ja", "12月7日 月曜日 17:00"),
        ("zh-hans", "12月7日 星期一 17:00"),
        ("ko", "12월 7일 월요일 오후 5:00"),
    ],
)
def test_a_chosen_time_reads_as_the_language_joins_a_date_and_a_time(
    client, page, language, chosen
):
    url = f"/book/intro/?tz=Europe/Paris&lang={language}&slot={ten_on_monday()}"
    assert chosen in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("パリ", "Europe/Paris"),
        ("首尔", "Asia/Seoul"),
        ("서울", "Asia/Seoul"),
        ("Parijs", "Europe/Paris"),
    ],
)
def test_a_zone_typed_in_any_of_the_languages_is_found(typed, zone):
    assert resolve_zone(typed) == zone
