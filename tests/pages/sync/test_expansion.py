"""pages.sync.expansion: a remote calendar's text becomes exactly the instants it blocks.

Hand-written cases, each instant worked out by hand (UTC offsets named in comments). The
property-based oracle against dateutil.rrule is in test_expansion_oracle.py.
"""

from __future__ import annotations

import datetime as dt
import time

from pages.sync.expansion import busy_intervals

UTC = dt.UTC


def utc(*parts):
    return dt.datetime(*parts, tzinfo=UTC)


def calendar(*events, header=""):
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"{header}{body}END:VCALENDAR\r\n".replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    )


def expand(text, start, end, zone="UTC", **options):
    return busy_intervals(text, window_start=start, window_end=end, calendar_zone=zone, **options)


def spans(result):
    return [(occurrence.start, occurrence.end) for occurrence in result.busy]


def test_a_weekly_series_from_two_years_ago_moved_across_the_us_dst_change_blocks_exact_instants():
    text = calendar(
        """
UID:weekly-chicago
SUMMARY:Team sync
DTSTART;TZID=America/Chicago:20240305T090000
DTEND;TZID=America/Chicago:20240305T100000
RRULE:FREQ=WEEKLY;BYDAY=TU
""",
        # The 10 March 2026 occurrence (after the change on 8 March) moved to Thursday
        # 14:00-15:30, longer than the others.
        """
UID:weekly-chicago
SUMMARY:Team sync (moved)
RECURRENCE-ID;TZID=America/Chicago:20260310T090000
DTSTART;TZID=America/Chicago:20260312T140000
DTEND;TZID=America/Chicago:20260312T153000
""",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert spans(result) == [
        (utc(2026, 3, 3, 15), utc(2026, 3, 3, 16)),  # CST, UTC-6
        (utc(2026, 3, 12, 19), utc(2026, 3, 12, 20, 30)),  # CDT, UTC-5
        (utc(2026, 3, 17, 14), utc(2026, 3, 17, 15)),
    ]
    moved = result.busy[1]
    assert moved.summary == "Team sync (moved)"
    assert moved.recurrence_id == utc(2026, 3, 10, 14)
    assert result.skipped == ()


def test_a_weekly_meeting_in_berlin_moved_to_before_the_eu_dst_change_keeps_its_wall_clock_time():
    text = calendar(
        """
UID:weekly-berlin
SUMMARY:Jour fixe
DTSTART;TZID=Europe/Berlin:20240101T100000
DTEND;TZID=Europe/Berlin:20240101T110000
RRULE:FREQ=WEEKLY;BYDAY=MO
""",
        """
UID:weekly-berlin
SUMMARY:Jour fixe
RECURRENCE-ID;TZID=Europe/Berlin:20260330T100000
DTSTART;TZID=Europe/Berlin:20260327T100000
DTEND;TZID=Europe/Berlin:20260327T110000
""",
    )
    result = expand(text, utc(2026, 3, 20), utc(2026, 4, 10))
    assert spans(result) == [
        (utc(2026, 3, 23, 9), utc(2026, 3, 23, 10)),  # CET, UTC+1
        (utc(2026, 3, 27, 9), utc(2026, 3, 27, 10)),  # moved, still CET
        (utc(2026, 4, 6, 8), utc(2026, 4, 6, 9)),  # CEST, UTC+2
    ]


def test_an_all_day_event_is_busy_from_midnight_to_midnight_in_the_calendars_zone_kolkata():
    text = calendar("UID:holiday\r\nSUMMARY:Holi\r\nDTSTART;VALUE=DATE:20260304")
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 10), zone="Asia/Kolkata")
    # No DTEND: one day. IST is UTC+5:30.
    assert spans(result) == [(utc(2026, 3, 3, 18, 30), utc(2026, 3, 4, 18, 30))]


def test_a_multi_day_all_day_event_ends_at_the_midnight_its_dtend_names():
    text = calendar("UID:trip\r\nDTSTART;VALUE=DATE:20260307\r\nDTEND;VALUE=DATE:20260310")
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20), zone="America/New_York")
    # 7 March 00:00 EST (UTC-5) to 10 March 00:00 EDT (UTC-4): 71 hours.
    assert spans(result) == [(utc(2026, 3, 7, 5), utc(2026, 3, 10, 4))]


def test_floating_times_are_read_in_the_x_wr_timezone_of_the_calendar():
    text = calendar(
        "UID:floating\r\nDTSTART:20260310T090000\r\nDTEND:20260310T093000",
        header="X-WR-TIMEZONE:America/New_York\r\n",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20), zone="Europe/Berlin")
    assert spans(result) == [(utc(2026, 3, 10, 13), utc(2026, 3, 10, 13, 30))]  # EDT


def test_floating_times_without_x_wr_timezone_are_read_in_the_zone_given():
    text = calendar("UID:floating\r\nDTSTART:20260310T090000\r\nDTEND:20260310T093000")
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20), zone="Asia/Kathmandu")
    assert spans(result) == [(utc(2026, 3, 10, 3, 15), utc(2026, 3, 10, 3, 45))]  # UTC+5:45


def test_windows_zone_names_are_read_as_their_iana_zone():
    text = calendar(
        """
UID:outlook-1
DTSTART;TZID=W. Europe Standard Time:20260710T090000
DTEND;TZID=W. Europe Standard Time:20260710T100000
""",
        """
UID:outlook-2
DTSTART;TZID=Pacific Standard Time:20260710T090000
DTEND;TZID=Pacific Standard Time:20260710T100000
""",
    )
    result = expand(text, utc(2026, 7, 1), utc(2026, 7, 20))
    assert spans(result) == [
        (utc(2026, 7, 10, 7), utc(2026, 7, 10, 8)),  # CEST, UTC+2
        (utc(2026, 7, 10, 16), utc(2026, 7, 10, 17)),  # PDT, UTC-7
    ]


def test_a_windows_zone_name_works_as_x_wr_timezone_too():
    text = calendar(
        "UID:f\r\nDTSTART:20260710T090000\r\nDTEND:20260710T100000",
        "UID:g\r\nDTSTART:20260316T090000Z\r\nDTEND:20260316T100000Z\r\nRRULE:FREQ=WEEKLY",
        header="X-WR-TIMEZONE:W. Europe Standard Time\r\n",
    )
    result = expand(text, utc(2026, 3, 25), utc(2026, 4, 2))
    assert spans(result) == [(utc(2026, 3, 30, 8), utc(2026, 3, 30, 9))]  # 10:00 CEST
    result = expand(text, utc(2026, 7, 10), utc(2026, 7, 11))
    assert spans(result) == [(utc(2026, 7, 10, 7), utc(2026, 7, 10, 8))]  # floating 09:00
    assert result.skipped == ()


def test_exdates_and_a_cancelled_override_free_their_occurrences():
    text = calendar(
        """
UID:daily
DTSTART;TZID=Europe/Berlin:20260302T090000
DTEND;TZID=Europe/Berlin:20260302T093000
RRULE:FREQ=DAILY;COUNT=7
EXDATE;TZID=Europe/Berlin:20260303T090000
EXDATE;TZID=Europe/Berlin:20260306T090000,20260307T090000
""",
        """
UID:daily
RECURRENCE-ID;TZID=Europe/Berlin:20260305T090000
DTSTART;TZID=Europe/Berlin:20260305T090000
DTEND;TZID=Europe/Berlin:20260305T093000
STATUS:CANCELLED
""",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert [occurrence.start for occurrence in result.busy] == [
        utc(2026, 3, 2, 8),
        utc(2026, 3, 4, 8),
        utc(2026, 3, 8, 8),
    ]


def test_an_exdate_given_as_a_date_frees_that_day_of_an_all_day_series():
    text = calendar(
        """
UID:allday-series
DTSTART;VALUE=DATE:20260302
RRULE:FREQ=DAILY;COUNT=3
EXDATE;VALUE=DATE:20260303
"""
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20), zone="Asia/Kolkata")
    assert spans(result) == [
        (utc(2026, 3, 1, 18, 30), utc(2026, 3, 2, 18, 30)),
        (utc(2026, 3, 3, 18, 30), utc(2026, 3, 4, 18, 30)),
    ]


def test_rdates_add_occurrences_as_date_times_and_periods():
    text = calendar(
        """
UID:rdates
DTSTART;TZID=America/Chicago:20260302T090000
DTEND;TZID=America/Chicago:20260302T100000
RDATE;TZID=America/Chicago:20260310T120000
RDATE;VALUE=PERIOD:20260311T150000Z/20260311T170000Z
"""
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert spans(result) == [
        (utc(2026, 3, 2, 15), utc(2026, 3, 2, 16)),
        (utc(2026, 3, 10, 17), utc(2026, 3, 10, 18)),
        (utc(2026, 3, 11, 15), utc(2026, 3, 11, 17)),
    ]


def test_an_rdate_period_keeps_its_own_end_when_the_series_has_a_duration():
    text = calendar(
        """
UID:rdate-duration
DTSTART;TZID=Europe/Berlin:20260302T090000
DURATION:PT30M
RDATE;VALUE=PERIOD:20260304T100000Z/PT3H
"""
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert spans(result) == [
        (utc(2026, 3, 2, 8), utc(2026, 3, 2, 8, 30)),
        (utc(2026, 3, 4, 10), utc(2026, 3, 4, 13)),
    ]


def test_ordinal_byday_bysetpos_and_bymonth_rules():
    text = calendar(
        """
UID:second-tuesday
DTSTART;TZID=Europe/Berlin:20250114T100000
DTEND;TZID=Europe/Berlin:20250114T110000
RRULE:FREQ=MONTHLY;BYDAY=2TU
""",
        """
UID:last-weekday
DTSTART;TZID=Europe/Berlin:20250131T160000
DTEND;TZID=Europe/Berlin:20250131T170000
RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1
""",
        """
UID:yearly
DTSTART;TZID=Europe/Berlin:20200320T080000
DTEND;TZID=Europe/Berlin:20200320T090000
RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=20;WKST=SU
""",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 4, 1))
    assert [(o.uid, o.start) for o in result.busy] == [
        ("second-tuesday", utc(2026, 3, 10, 9)),
        ("yearly", utc(2026, 3, 20, 7)),
        ("last-weekday", utc(2026, 3, 31, 14)),  # CEST since 29 March
    ]


def test_a_declined_invitation_is_free_and_only_the_grants_own_answer_counts():
    declined = """
UID:declined
DTSTART:20260310T090000Z
DTEND:20260310T100000Z
ORGANIZER:mailto:boss@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.com
ATTENDEE;PARTSTAT=DECLINED:MAILTO:Me@Example.COM
"""
    others_declined = """
UID:others-declined
DTSTART:20260311T090000Z
DTEND:20260311T100000Z
ATTENDEE;PARTSTAT=DECLINED:mailto:someone@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com
"""
    result = expand(
        calendar(declined, others_declined),
        utc(2026, 3, 1),
        utc(2026, 3, 20),
        own_emails={"me@example.com"},
    )
    assert [o.uid for o in result.busy] == ["others-declined"]


def test_transparent_events_are_free():
    text = calendar(
        "UID:t\r\nTRANSP:TRANSPARENT\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z",
        "UID:o\r\nTRANSP:OPAQUE\r\nDTSTART:20260310T110000Z\r\nDTEND:20260310T120000Z",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert [o.uid for o in result.busy] == ["o"]


def test_a_cancelled_event_is_free():
    text = calendar("UID:c\r\nSTATUS:CANCELLED\r\nDTSTART:20260310T090000Z\r\nDURATION:PT1H")
    assert expand(text, utc(2026, 3, 1), utc(2026, 3, 20)).busy == ()


def test_tentative_events_are_busy_by_default_and_free_when_tentative_does_not_count():
    text = calendar(
        "UID:status\r\nSTATUS:TENTATIVE\r\nDTSTART:20260310T090000Z\r\nDURATION:PT1H",
        """
UID:answer
DTSTART:20260310T110000Z
DURATION:PT1H
ATTENDEE;PARTSTAT=TENTATIVE:mailto:me@example.com
""",
        "UID:sure\r\nSTATUS:CONFIRMED\r\nDTSTART:20260310T130000Z\r\nDURATION:PT1H",
    )
    window = (utc(2026, 3, 1), utc(2026, 3, 20))
    counted = expand(text, *window, own_emails={"me@example.com"})
    assert [(o.uid, o.tentative, o.status) for o in counted.busy] == [
        ("status", True, "TENTATIVE"),
        ("answer", True, ""),
        ("sure", False, "CONFIRMED"),
    ]
    not_counted = expand(text, *window, own_emails={"me@example.com"}, tentative_as_busy=False)
    assert [o.uid for o in not_counted.busy] == ["sure"]


def test_a_malformed_vevent_is_skipped_with_a_reason_and_the_others_still_count():
    text = calendar(
        "UID:good-1\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z",
        "UID:bad\r\nDTSTART;TZID=Europe/Berlin:not-a-time\r\nDTEND:20260310T100000Z",
        "UID:no-start\r\nSUMMARY:nothing",
        "UID:bad-rule\r\nDTSTART:20260310T090000Z\r\nRRULE:FREQ=SOMETIMES",
        "UID:good-2\r\nDTSTART:20260311T090000Z\r\nDTEND:20260311T100000Z",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert [o.uid for o in result.busy] == ["good-1", "good-2"]
    assert {s.uid for s in result.skipped} == {"bad", "no-start", "bad-rule"}
    assert all(s.reason for s in result.skipped)


def test_a_document_icalendar_cannot_parse_whole_is_read_one_vevent_at_a_time():
    text = calendar(
        "UID:good\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z",
        "UID:broken\r\nBEGIN:VALARM\r\nDTSTART:20260310T090000Z",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert [o.uid for o in result.busy] == ["good"]
    assert [s.uid for s in result.skipped] == ["broken"]


def test_text_that_is_not_icalendar_at_all_is_one_skipped_entry_not_an_error():
    result = expand("<html>login</html>", utc(2026, 3, 1), utc(2026, 3, 20))
    assert result.busy == ()
    assert len(result.skipped) == 1


def test_half_hour_and_quarter_hour_zone_series():
    text = calendar(
        """
UID:kolkata
DTSTART;TZID=Asia/Kolkata:20260301T093000
DTEND;TZID=Asia/Kolkata:20260301T101500
RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3
""",
        """
UID:kathmandu
DTSTART;TZID=Asia/Kathmandu:20260301T090000
DTEND;TZID=Asia/Kathmandu:20260301T091500
RRULE:FREQ=WEEKLY;COUNT=2
""",
    )
    result = expand(text, utc(2026, 2, 28), utc(2026, 3, 20))
    assert [(o.uid, o.start, o.end) for o in result.busy] == [
        ("kathmandu", utc(2026, 3, 1, 3, 15), utc(2026, 3, 1, 3, 30)),
        ("kolkata", utc(2026, 3, 1, 4), utc(2026, 3, 1, 4, 45)),
        ("kolkata", utc(2026, 3, 3, 4), utc(2026, 3, 3, 4, 45)),
        ("kolkata", utc(2026, 3, 5, 4), utc(2026, 3, 5, 4, 45)),
        ("kathmandu", utc(2026, 3, 8, 3, 15), utc(2026, 3, 8, 3, 30)),
    ]


def test_a_southern_hemisphere_series_keeps_its_wall_clock_time_when_sydney_leaves_dst():
    text = calendar(
        """
UID:sydney
DTSTART;TZID=Australia/Sydney:20250105T090000
DTEND;TZID=Australia/Sydney:20250105T100000
RRULE:FREQ=WEEKLY;BYDAY=SU
"""
    )
    result = expand(text, utc(2026, 3, 27), utc(2026, 4, 8))
    assert spans(result) == [
        (utc(2026, 3, 28, 22), utc(2026, 3, 28, 23)),  # AEDT, UTC+11
        (utc(2026, 4, 4, 23), utc(2026, 4, 5, 0)),  # AEST, UTC+10 since 5 April 03:00
    ]


def test_a_time_in_the_spring_gap_moves_forward_and_a_repeated_time_takes_its_first_instant():
    text = calendar(
        """
UID:night
DTSTART;TZID=America/Chicago:20260306T023000
DTEND;TZID=America/Chicago:20260306T024500
RRULE:FREQ=DAILY
"""
    )
    spring = expand(text, utc(2026, 3, 7), utc(2026, 3, 10))
    assert [o.start for o in spring.busy] == [
        utc(2026, 3, 7, 8, 30),  # 02:30 CST
        utc(2026, 3, 8, 8, 30),  # 02:30 does not exist: 03:30 CDT
        utc(2026, 3, 9, 7, 30),  # 02:30 CDT
    ]
    autumn_text = text.replace("023000", "013000").replace("024500", "014500")
    autumn = expand(autumn_text, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12))
    # 1 November 01:30 happens twice; the first is CDT (UTC-5).
    assert [o.start for o in autumn.busy] == [utc(2026, 11, 1, 6, 30), utc(2026, 11, 2, 7, 30)]


def test_an_occurrence_that_spans_a_dst_change_lasts_its_exact_duration():
    text = calendar(
        """
UID:overnight
DTSTART;TZID=Europe/Berlin:20260301T010000
DTEND;TZID=Europe/Berlin:20260301T040000
RRULE:FREQ=WEEKLY;BYDAY=SU
"""
    )
    result = expand(text, utc(2026, 3, 28), utc(2026, 3, 30))
    # 29 March 01:00 CET (00:00Z) for three real hours, though the wall clock reads 05:00.
    assert spans(result) == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 3))]


def test_occurrences_that_only_touch_the_window_are_left_out_and_overlapping_ones_kept():
    text = calendar(
        "UID:before\r\nDTSTART:20260310T080000Z\r\nDTEND:20260310T090000Z",
        "UID:across\r\nDTSTART:20260310T083000Z\r\nDTEND:20260310T093000Z",
        "UID:after\r\nDTSTART:20260310T100000Z\r\nDTEND:20260310T110000Z",
    )
    result = expand(text, utc(2026, 3, 10, 9), utc(2026, 3, 10, 10))
    assert [o.uid for o in result.busy] == ["across"]


def test_a_series_from_decades_ago_costs_no_more_than_next_weeks_occurrences():
    text = calendar(
        """
UID:ancient
DTSTART;TZID=Europe/Berlin:19700101T090000
DTEND;TZID=Europe/Berlin:19700101T091500
RRULE:FREQ=MINUTELY;INTERVAL=30;BYHOUR=9,10
"""
    )
    began = time.perf_counter()
    result = expand(text, utc(2026, 3, 9), utc(2026, 3, 16))
    assert time.perf_counter() - began < 2
    assert len(result.busy) == 7 * 4
    assert result.busy[0].start == utc(2026, 3, 9, 8)


def test_a_series_with_more_occurrences_than_the_cap_is_cut_and_says_so():
    text = calendar(
        "UID:busy-bee\r\nDTSTART:20260310T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY"
    )
    result = expand(text, utc(2026, 3, 10), utc(2026, 3, 11), max_occurrences_per_series=50)
    assert len(result.busy) <= 50
    assert [s.uid for s in result.skipped] == ["busy-bee"]
    assert "50" in result.skipped[0].reason


def test_this_and_future_override_moves_the_rest_of_the_series():
    text = calendar(
        """
UID:tf
DTSTART;TZID=Europe/Berlin:20260302T090000
DTEND;TZID=Europe/Berlin:20260302T100000
RRULE:FREQ=DAILY;COUNT=5
""",
        """
UID:tf
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260304T090000
DTSTART;TZID=Europe/Berlin:20260304T140000
DTEND;TZID=Europe/Berlin:20260304T150000
""",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert [o.start for o in result.busy] == [
        utc(2026, 3, 2, 8),
        utc(2026, 3, 3, 8),
        utc(2026, 3, 4, 13),
        utc(2026, 3, 5, 13),
        utc(2026, 3, 6, 13),
    ]


def test_a_duration_in_days_is_nominal_and_in_hours_exact_across_a_dst_change():
    text = calendar(
        """
UID:days
DTSTART;TZID=Europe/Berlin:20260327T120000
DURATION:P1D
RRULE:FREQ=DAILY;COUNT=3
""",
        """
UID:hours
DTSTART;TZID=Europe/Berlin:20260329T013000
DURATION:PT2H
""",
    )
    result = expand(text, utc(2026, 3, 27), utc(2026, 3, 31))
    assert [(o.uid, o.start, o.end) for o in result.busy] == [
        ("days", utc(2026, 3, 27, 11), utc(2026, 3, 28, 11)),
        ("days", utc(2026, 3, 28, 11), utc(2026, 3, 29, 10)),  # 23 hours: 12:00 to 12:00
        ("hours", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 2, 30)),  # 2 real hours
        ("days", utc(2026, 3, 29, 10), utc(2026, 3, 30, 10)),
    ]


def test_an_orphan_override_of_no_instance_of_the_series_is_busy_as_the_event_it_describes():
    text = calendar(
        """
UID:orphan
DTSTART;TZID=Europe/Berlin:20260302T090000
DTEND;TZID=Europe/Berlin:20260302T100000
RRULE:FREQ=DAILY;COUNT=2
""",
        """
UID:orphan
RECURRENCE-ID;TZID=Europe/Berlin:20260310T090000
DTSTART;TZID=Europe/Berlin:20260310T150000
DTEND;TZID=Europe/Berlin:20260310T160000
""",
    )
    result = expand(text, utc(2026, 3, 1), utc(2026, 3, 20))
    assert [o.start for o in result.busy] == [
        utc(2026, 3, 2, 8),
        utc(2026, 3, 3, 8),
        utc(2026, 3, 10, 14),
    ]


def test_a_utc_series_in_a_calendar_with_x_wr_timezone_repeats_at_that_zones_wall_clock():
    # Google writes series in UTC and means them in the calendar's zone.
    text = calendar(
        "UID:g\r\nDTSTART:20260316T090000Z\r\nDTEND:20260316T100000Z\r\nRRULE:FREQ=WEEKLY",
        header="X-WR-TIMEZONE:Europe/Berlin\r\n",
    )
    result = expand(text, utc(2026, 3, 15), utc(2026, 4, 5))
    assert [o.start for o in result.busy] == [
        utc(2026, 3, 16, 9),
        utc(2026, 3, 23, 9),
        utc(2026, 3, 30, 8),  # 10:00 CEST
    ]


def test_an_unknown_tzid_without_a_vtimezone_is_read_in_the_calendars_zone():
    text = calendar(
        "UID:u\r\nDTSTART;TZID=Mars/Olympus:20260316T090000\r\n"
        "DTEND;TZID=Mars/Olympus:20260316T100000"
    )
    result = expand(text, utc(2026, 3, 15), utc(2026, 4, 5), zone="Asia/Kolkata")
    assert spans(result) == [(utc(2026, 3, 16, 3, 30), utc(2026, 3, 16, 4, 30))]


OUTLOOK_PACIFIC = """BEGIN:VTIMEZONE
TZID:{name}
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0700
TZOFFSETTO:-0800
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0800
TZOFFSETTO:-0700
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""


def test_a_series_in_a_zone_its_vtimezone_defines_follows_that_definition_across_dst():
    for name in ("Pacific Standard Time", "Custom Pacific"):
        text = calendar(
            f"""
UID:w
DTSTART;TZID={name}:20260302T090000
DTEND;TZID={name}:20260302T100000
RRULE:FREQ=WEEKLY;COUNT=3
""",
            header=OUTLOOK_PACIFIC.format(name=name),
        )
        result = expand(text, utc(2026, 3, 1), utc(2026, 4, 5))
        assert spans(result) == [
            (utc(2026, 3, 2, 17), utc(2026, 3, 2, 18)),  # PST, UTC-8
            (utc(2026, 3, 9, 16), utc(2026, 3, 9, 17)),  # PDT since 8 March
            (utc(2026, 3, 16, 16), utc(2026, 3, 16, 17)),
        ], name


def test_the_windows_zone_names_of_the_cldr_table_map_to_their_iana_zones():
    from pages.sync.expansion import _zone

    assert {
        name: _zone(name).key
        for name in (
            "India Standard Time",
            "Nepal Standard Time",
            "AUS Eastern Standard Time",
            "Pacific SA Standard Time",
            "Romance Standard Time",
            "Eastern Standard Time",
            "Tokyo Standard Time",
        )
    } == {
        "India Standard Time": "Asia/Calcutta",
        "Nepal Standard Time": "Asia/Katmandu",
        "AUS Eastern Standard Time": "Australia/Sydney",
        "Pacific SA Standard Time": "America/Santiago",
        "Romance Standard Time": "Europe/Paris",
        "Eastern Standard Time": "America/New_York",
        "Tokyo Standard Time": "Asia/Tokyo",
    }
    assert _zone("Nowhere Standard Time") is None
