/**
 * The memory of accepted Bird events: 25 hours (Bird retries for about a day with the first
 * timestamp), per trigger, at volume, synchronous. Replaces the one-hour, 1,000-event static-data
 * record of 0.1.0: a retry 61 minutes after acceptance ran again, and 1,000 newer events pushed a
 * two-minute-old repeat out (issue #18).
 */
import { acceptOnce, MAX_PER_TRIGGER, rememberedEvents, REPEAT_WINDOW_MS } from '../nodes/BirdTrigger/replay';

const start = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;
let scopeCount = 0;
const freshScope = () => `wf|node|test-${scopeCount++}`;

test('an event is caught as a repeat for 25 hours: after 61 minutes, after 23 hours; once the window is over it counts as new', () => {
	const scope = freshScope();
	expect(acceptOnce(scope, 'whatsapp.inbound:m-1:delivered', start).accepted).toBe(true);
	expect(acceptOnce(scope, 'whatsapp.inbound:m-1:delivered', start + 61 * 60_000).accepted).toBe(false);
	expect(acceptOnce(scope, 'whatsapp.inbound:m-1:delivered', start + 23 * HOUR).accepted).toBe(false);
	expect(acceptOnce(scope, 'whatsapp.inbound:m-1:delivered', start + 24 * HOUR + 59 * 60_000).accepted).toBe(false);
	expect(acceptOnce(scope, 'whatsapp.inbound:m-1:delivered', start + REPEAT_WINDOW_MS + HOUR).accepted).toBe(true);
});

test('a two-minute-old repeat is caught after 20,000 other events of the same trigger and others', () => {
	const scope = freshScope();
	expect(acceptOnce(scope, 'first', start).accepted).toBe(true);
	for (let n = 0; n < 20_000; n++) {
		acceptOnce(scope, `other-${n}`, start + 60_000);
		acceptOnce(freshScope(), `elsewhere-${n}`, start + 60_000);
	}
	expect(acceptOnce(scope, 'first', start + 120_000).accepted).toBe(false);
});

test('a busy trigger: 20,000 events an hour for a day are all remembered, and each repeat is caught', () => {
	const scope = freshScope();
	for (let hour = 0; hour < 24; hour++) {
		for (let n = 0; n < 20_000; n++) acceptOnce(scope, `e-${hour}-${n}`, start + hour * HOUR + n);
	}
	expect(rememberedEvents(scope)).toBe(480_000);
	const late = start + 24 * HOUR;
	expect([0, 12, 23].map((hour) => acceptOnce(scope, `e-${hour}-19999`, late).accepted)).toEqual([false, false, false]);
});

test('past its cap a trigger forgets its oldest hour first, and says so', () => {
	const scope = freshScope();
	let forgot = false;
	for (let hour = 0; hour < 3; hour++) {
		for (let n = 0; n < MAX_PER_TRIGGER / 2; n++) forgot = acceptOnce(scope, `x-${hour}-${n}`, start + hour * HOUR).forgotEarly === true || forgot;
	}
	expect(forgot).toBe(true);
	expect(rememberedEvents(scope)).toBeLessThanOrEqual(MAX_PER_TRIGGER);
	expect(acceptOnce(scope, 'x-2-0', start + 3 * HOUR).accepted).toBe(false);
	expect(acceptOnce(scope, 'x-0-0', start + 3 * HOUR).accepted).toBe(true);
});

test('a test run and the active workflow each accept an event once (scopes are apart)', () => {
	expect(acceptOnce('wf|node|manual', 'shared', start).accepted).toBe(true);
	expect(acceptOnce('wf|node|webhook', 'shared', start).accepted).toBe(true);
	expect(acceptOnce('wf|node|webhook', 'shared', start).accepted).toBe(false);
});
