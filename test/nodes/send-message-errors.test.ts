import type { IDataObject } from 'n8n-workflow';

import { useBirdServer } from '../helpers/bird-server';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, runNode } from '../helpers/n8n';

const server = useBirdServer((_request, index) => ({ status: 202, body: { id: `msg-${index + 1}`, status: 'accepted' } }));

const channel = { __rl: true, mode: 'id', value: CHANNEL_ID };

async function send(parameters: IDataObject, opts: { items?: IDataObject[]; continueOnFail?: boolean } = {}) {
	return await runNode({
		type: 'birdSendMessage',
		parameters: { channelId: channel, identifierValue: '+31612345678', messageType: 'text', text: 'Hi', ...parameters },
		items: opts.items,
		credentials: credentialsFor(server.url),
		continueOnFail: opts.continueOnFail,
	});
}

/** Everything a user could see of a run, as one string, to check that the key never shows. */
function visible(result: Awaited<ReturnType<typeof send>>): string {
	return JSON.stringify({ outputs: result.outputs, error: result.error, description: result.error?.description });
}

describe("Send Message: Bird's errors", () => {
	test("a 422 surfaces Bird's code, message and per-field details", async () => {
		server.respond(() => ({
			status: 422,
			body: {
				code: 'InvalidPayload',
				message: 'The payload is invalid',
				details: { 'receiver.contacts[0].identifierValue': ['is invalid'], 'body.text.text': ['is too long', 'has bad characters'] },
			},
		}));
		const result = await send({});
		expect(server.requests).toHaveLength(1);
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe('The payload is invalid: receiver.contacts[0].identifierValue (Recipient): is invalid (and 1 more)');
		expect(result.error?.description).toContain('Bird error code: InvalidPayload');
		expect(result.error?.description).toContain('receiver.contacts[0].identifierValue (Recipient): is invalid');
		expect(result.error?.description).toContain('body.text.text (Text): is too long; has bad characters');
		expect(result.error?.description).toContain('Bird did not process the request: fix those fields and run the node again.');
		expect((result.error as unknown as { httpCode: string }).httpCode).toBe('422');
		expect(visible(result)).not.toContain(ACCESS_KEY);
	});

	test('a 404 is not retried and names what to check', async () => {
		server.respond(() => ({ status: 404, body: { code: 'NotFound', message: 'channel not found' } }));
		const result = await send({});
		expect(server.requests).toHaveLength(1);
		expect(result.error?.message).toBe('channel not found');
		expect(result.error?.description).toMatch(/check the IDs/);
	});

	test('429 is retried (honouring Retry-After) until Bird accepts; the message is sent once', async () => {
		server.respond((_request, index) =>
			index < 2
				? { status: 429, body: { code: 'TooManyRequests', message: 'slow down' }, headers: { 'retry-after': '0' } }
				: { status: 202, body: { id: 'msg-ok', status: 'accepted' } },
		);
		const result = await send({});
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(3);
		expect(result.outputs[0].map((item) => item.json.id)).toEqual(['msg-ok']);
	});

	test('a 500 is retried with backoff; when retries run out the error says how often it tried', async () => {
		server.respond(() => ({ status: 500, body: { code: 'Internal', message: 'boom' } }));
		const result = await send({ delivery: { maxRetries: 2, retryDelay: 5 } });
		expect(server.requests).toHaveLength(3);
		expect(result.error?.message).toBe('boom');
		expect(result.error?.description).toContain('Tried 3 times.');
	});
});

describe('Send Message: continueOnFail', () => {
	test('each item ends in exactly one output item or error item, in order, with pairedItem', async () => {
		server.respond((request) => {
			const body = request.body as { body: { text: { text: string } } };
			return body.body.text.text === 'reject me'
				? { status: 422, body: { code: 'InvalidPayload', message: 'rejected', details: { 'body.text.text': ['no'] } } }
				: { status: 202, body: { id: `msg-${body.body.text.text}`, status: 'accepted' } };
		});
		const result = await send(
			{ identifierValue: '={{ $json.phone }}', text: '={{ $json.text }}' },
			{
				continueOnFail: true,
				items: [
					{ phone: '+31600000001', text: 'one' },
					{ phone: 'nope', text: 'bad phone' },
					{ phone: '+31600000003', text: 'reject me' },
					{ phone: '+31600000004', text: 'four' },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(3);
		const out = result.outputs[0];
		expect(out).toHaveLength(4);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json.id).toBe('msg-one');
		expect(out[1].json.error).toMatch(/Recipient: "nope" is not a phone number/);
		expect(out[2].json.error).toBe('rejected: body.text.text (Text): no');
		expect(out[3].json.id).toBe('msg-four');
		expect(visible(result)).not.toContain(ACCESS_KEY);
	});
});
