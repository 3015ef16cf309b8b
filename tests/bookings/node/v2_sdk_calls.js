// Every scheduler and calendar-availability call of the v2-era Node SDK (npm `nylas` 6.x),
// pointed at our server: `apiServer` for the API, `baseUrl` for the scheduler. The SDK is
// used as its readme shows, unchanged. Prints one JSON object: each call's outcome.
//
// Input (environment): BASE (our URL), TOKEN (a grant access token), GRANT_ID,
// GRANT_EMAIL, CALENDAR_ID, SLUG (an existing page's slug, with free slots), and
// CONFIRM_SLUG, CONFIRM_HASH (a page that confirms by hand, and the hash of the
// organizer's link for a booking waiting there).
'use strict';

const Nylas = require('nylas');
const SchedulerBookingRequest = require('nylas/lib/models/scheduler-booking-request').default;
const SchedulerTimeSlot = require('nylas/lib/models/scheduler-time-slot').default;

const env = process.env;
const BASE = env.BASE;

Nylas.config({ clientId: 'client-id', clientSecret: 'client-secret', apiServer: BASE });
const nylas = Nylas.with(env.TOKEN);
nylas.scheduler.baseUrl = BASE;

const results = {};

async function call(name, fn) {
  try {
    results[name] = { ok: true, value: await fn() };
  } catch (error) {
    results[name] = {
      ok: false,
      status: error.statusCode || null,
      type: error.type || null,
      message: String(error.message || error),
    };
  }
}

function pageConfig(title) {
  return {
    timezone: 'Asia/Kolkata',
    event: { title, duration: 30, location: 'Tea room' },
    booking: {
      openingHours: [
        {
          accountId: env.GRANT_ID,
          days: ['M', 'T', 'W', 'R', 'F', 'S', 'U'],
          start: '00:00',
          end: '23:59',
        },
      ],
      minBookingNotice: 0,
      availableDaysInFuture: 7,
      confirmationMethod: 'automatic',
    },
    calendarIds: { [env.GRANT_ID]: { availability: [env.CALENDAR_ID], booking: env.CALENDAR_ID } },
  };
}

async function main() {
  const start = Math.floor(Date.now() / 1000);
  let made;

  await call('scheduler.list', async () => {
    const pages = await nylas.scheduler.list();
    return { count: pages.length, ids: pages.map((p) => p.id) };
  });

  await call('scheduler.build().save() (create)', async () => {
    const page = nylas.scheduler.build({
      name: 'Made by the v2 SDK',
      slug: 'made-by-the-v2-sdk',
      accessTokens: [env.TOKEN],
      config: pageConfig('SDK tea'),
    });
    page.baseUrl = BASE;
    made = await page.save();
    return { id: made.id, slug: made.slug, editToken: Boolean(made.editToken) };
  });

  await call('scheduler.find', async () => {
    const page = await nylas.scheduler.find(made.id);
    return { id: page.id, title: page.config.event.title, slug: page.slug };
  });

  await call('page.save() (update)', async () => {
    const page = await nylas.scheduler.find(made.id);
    page.baseUrl = BASE;
    page.name = 'Renamed by the v2 SDK';
    page.config.event.title = 'SDK coffee';
    const saved = await page.save();
    const again = await nylas.scheduler.find(made.id);
    return { id: saved.id, name: again.name, title: again.config.event.title };
  });

  await call('page.getAvailableCalendars', async () => {
    const page = await nylas.scheduler.find(made.id);
    page.baseUrl = BASE;
    const accounts = await page.getAvailableCalendars();
    return accounts.map((a) => ({
      id: a.id,
      email: a.email,
      calendars: a.calendars.map((c) => c.id),
    }));
  });

  await call('page.uploadImage', async () => {
    const page = await nylas.scheduler.find(made.id);
    page.baseUrl = BASE;
    return page.uploadImage('image/png', 'logo.png');
  });

  await call('scheduler.getPageBySlug', async () => {
    const page = await nylas.scheduler.getPageBySlug(env.SLUG);
    return { slug: page.slug, title: page.config.event.title };
  });

  let slots = [];
  await call('scheduler.getAvailableTimeSlots', async () => {
    slots = await nylas.scheduler.getAvailableTimeSlots(env.SLUG);
    return {
      count: slots.length,
      first: slots.length
        ? { start: slots[0].start.getTime() / 1000, end: slots[0].end.getTime() / 1000 }
        : null,
      accountId: slots.length ? slots[0].accountId : null,
    };
  });

  let booked;
  await call('scheduler.bookTimeSlot', async () => {
    const slot = new SchedulerTimeSlot();
    slot.accountId = slots[0].accountId;
    slot.calendarId = slots[0].calendarId;
    slot.start = slots[0].start;
    slot.end = slots[0].end;
    // Set field by field: the constructor reads its argument as JSON (a Date in a slot
    // given there would be taken for seconds).
    const request = new SchedulerBookingRequest();
    request.email = 'grace@example.com';
    request.name = 'Grace';
    request.timezone = 'Asia/Kathmandu';
    request.slot = slot;
    request.additionalEmails = [];
    request.additionalValues = {};
    booked = await nylas.scheduler.bookTimeSlot(env.SLUG, request);
    return {
      start: booked.startTime.getTime() / 1000,
      editHash: Boolean(booked.editHash),
      email: booked.recipientEmail,
    };
  });

  await call('scheduler.cancelBooking', async () => {
    return nylas.scheduler.cancelBooking(env.SLUG, booked.editHash, 'Plans changed');
  });

  await call('scheduler.confirmBooking', async () => {
    const confirmed = await nylas.scheduler.confirmBooking(env.CONFIRM_SLUG, env.CONFIRM_HASH);
    return { ok: Boolean(confirmed) };
  });

  await call('scheduler.getGoogleAvailability', () => nylas.scheduler.getGoogleAvailability());
  await call('scheduler.getOffice365Availability', () =>
    nylas.scheduler.getOffice365Availability()
  );

  await call('scheduler.first', async () => {
    const page = await nylas.scheduler.first();
    return { id: page.id };
  });

  await call('scheduler.delete', async () => {
    // v2 page IDs are integers (as the hosted service's were): delete() takes the page
    // itself, or its ID as a string.
    await nylas.scheduler.delete(String(made.id));
    try {
      await nylas.scheduler.find(made.id);
      return { stillThere: true };
    } catch (error) {
      return { stillThere: false, status: error.statusCode };
    }
  });

  await call('calendars.freeBusy', async () => {
    const answer = await nylas.calendars.freeBusy({
      startTime: start,
      endTime: start + 86400,
      emails: [env.GRANT_EMAIL],
    });
    return answer.map((fb) => ({ email: fb.email, busy: fb.timeSlots.length }));
  });

  await call('calendars.availability', async () => {
    const answer = await nylas.calendars.availability({
      startTime: start,
      endTime: start + 86400,
      duration: 30,
      interval: 30,
      emails: [env.GRANT_EMAIL, 'friend@example.com'],
      buffer: 0,
      openHours: [
        {
          emails: ['friend@example.com'],
          days: [0, 1, 2, 3, 4, 5, 6],
          timezone: 'Asia/Kathmandu',
          start: '09:00',
          end: '17:00',
          objectType: 'open_hours',
        },
      ],
      freeBusy: [],
    });
    return {
      count: answer.timeSlots.length,
      first: answer.timeSlots.length
        ? {
            start: answer.timeSlots[0].startTime,
            end: answer.timeSlots[0].endTime,
            emails: answer.timeSlots[0].emails,
          }
        : null,
    };
  });

  await call('calendars.consecutiveAvailability', async () => {
    // The SDK hands the raw answer to its callback (its own parse of a list of
    // itineraries keeps nothing), so the callback's copy is what a program reads.
    let raw;
    await nylas.calendars.consecutiveAvailability(
      {
        startTime: start,
        endTime: start + 86400,
        duration: 30,
        interval: 30,
        emails: [[env.GRANT_EMAIL], ['friend@example.com']],
        openHours: [
          {
            emails: ['friend@example.com'],
            days: [0, 1, 2, 3, 4, 5, 6],
            timezone: 'Asia/Kathmandu',
            start: '09:00',
            end: '17:00',
            objectType: 'open_hours',
          },
        ],
        freeBusy: [],
      },
      (error, json) => {
        raw = json;
      }
    );
    return { count: raw.length, first: raw[0] };
  });

  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ crashed: String(error && error.stack) }));
  process.exit(1);
});
