/**
 * The credential's "n8n Processes Sending at Once": in queue mode every worker paces itself, so
 * each keeps to its share of Bird's per-workspace limit. 20 processes leave this one 24.5
 * sends per second (500 × 0.98 / 20).
 */
import { useBirdServer } from '../helpers/bird-server';
import { CHANNEL_ID, credentialsFor, runNode } from '../helpers/n8n';
import { busiestSecond } from '../helpers/windows';

const arrivals: number[] = [];
const server = useBirdServer((_request, index) => {
	arrivals.push(Date.now());
	return { status: 202, body: { id: `msg-${index + 1}`, status: 'accepted' } };
});

beforeEach(() => (arrivals.length = 0));


async function sendTexts(count: number, processes: number | string) {
	return await runNode({
		type: 'birdSendMessage',
		parameters: { channelId: { __rl: true, mode: 'id', value: CHANNEL_ID }, identifierValue: '={{ $json.phone }}', messageType: 'text', text: 'Hello' },
		items: Array.from({ length: count }, (_, index) => ({ phone: `+3161${String(index).padStart(7, '0')}` })),
		credentials: credentialsFor(server.url, { processes }),
		continueOnFail: true,
	});
}

test('with 20 processes sharing the workspace, this one sends at most 25 messages in any second, and sends them all', async () => {
	const result = await sendTexts(40, 20);
	expect(result.outputs[0]).toHaveLength(40);
	expect(result.outputs[0].every((item) => item.json.status === 'accepted')).toBe(true);
	expect(arrivals).toHaveLength(40);
	expect(busiestSecond(arrivals)).toBeLessThanOrEqual(25);
});

test.each([0, 2.5, 'two'])('processes %p is refused, naming the setting and its range, before any request', async (processes) => {
	const result = await sendTexts(2, processes);
	expect(server.requests).toHaveLength(0);
	expect(result.outputs[0]).toHaveLength(2);
	for (const item of result.outputs[0]) {
		expect(item.json.error).toContain('n8n Processes Sending at Once');
		expect(JSON.stringify(item.json)).toContain('whole number from 1 to 100');
	}
});
