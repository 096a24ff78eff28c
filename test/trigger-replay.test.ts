/** The memory of accepted Bird events: one hour, at most 1,000 per trigger in static data. */
import type { IDataObject } from 'n8n-workflow';

import { acceptOnce, REPLAY_WINDOW_MS } from '../nodes/BirdTrigger/replay';

const start = Date.parse('2026-11-23T10:00:00Z');

test('an event is accepted once within the hour, and again once the hour is over', () => {
	const staticData: IDataObject = {};
	expect(acceptOnce(staticData, 'wf|node|webhook', 'whatsapp.inbound:m-1:delivered', start)).toBe(true);
	expect(acceptOnce(staticData, 'wf|node|webhook', 'whatsapp.inbound:m-1:delivered', start + REPLAY_WINDOW_MS - 1000)).toBe(false);
	expect(acceptOnce(staticData, 'wf|node|webhook', 'whatsapp.inbound:m-1:delivered', start + REPLAY_WINDOW_MS + 1000)).toBe(true);
});

test('static data keeps the newest 1,000 events and drops those older than the hour', () => {
	const staticData: IDataObject = {};
	for (let n = 0; n < 1005; n++) acceptOnce(staticData, 'wf|node|cap', `e-${n}`, start + n);
	const remembered = Object.keys(staticData.birdAcceptedEvents as IDataObject);
	expect(remembered).toHaveLength(1000);
	expect(remembered[0]).toBe('e-5');
	acceptOnce(staticData, 'wf|node|cap', 'late', start + 2 * REPLAY_WINDOW_MS);
	expect(Object.keys(staticData.birdAcceptedEvents as IDataObject)).toEqual(['late']);
});

test('a test run and the active workflow each accept an event once (scopes are apart in memory)', () => {
	expect(acceptOnce({}, 'wf|node|manual', 'shared', start)).toBe(true);
	expect(acceptOnce({}, 'wf|node|webhook', 'shared', start)).toBe(true);
	expect(acceptOnce({}, 'wf|node|webhook', 'shared', start)).toBe(false);
});
