import type { IDataObject } from 'n8n-workflow';

import { BirdTestServer } from '../helpers/bird-server';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, runNode } from '../helpers/n8n';

const server = new BirdTestServer();
beforeAll(async () => {
	await server.start();
});
afterAll(async () => {
	await server.stop();
});
beforeEach(() => {
	server.reset();
	server.respond((_request, index) => ({ status: 202, body: { id: `msg-${index + 1}`, status: 'accepted' } }));
});

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

describe('Send Message: bad input is rejected before any request', () => {
	// Values n8n itself refuses before running (an empty required field, a By ID value that
	// fails the field's regex) are given as expressions, as they would arrive from data.
	test.each([
		['a phone number that is not E.164', { identifierValue: '0612345678' }, /^Recipient: "0612345678" is not a phone number in E\.164 format.*\(item 0\)$/, 'identifierValue', '+31612345678'],
		['latitude 91', { messageType: 'location', latitude: 91, longitude: 4.9 }, /^Latitude: 91 is above the maximum of 90 \(item 0\)$/, 'latitude', '52.3435942'],
		['a tag with !', { options: { tags: 'vip!' } }, /^Options › Tags: "vip!" may only use letters/, 'options.tags', 'order-update'],
		['11 tags', { options: { tags: 'a,b,c,d,e,f,g,h,i,j,k' } }, /has 11 tags; at most 10/, 'options.tags', 'order-update'],
		['empty text', { text: '' }, /^Text: is required but empty/, 'text', 'Hello!'],
		['a channel ID that is not a UUID', { channelId: { __rl: true, mode: 'id', value: '={{ "whatsapp" }}' } }, /^Channel: "whatsapp" is not a UUID/, 'channelId', '4a6b4b9e-'],
		['a schedule 40 days ahead', { options: { scheduledFor: new Date(Date.now() + 40 * 86_400_000).toISOString() } }, /more than 35 days ahead/, 'options.scheduledFor', new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)],
		['a carousel with one card', { messageType: 'carousel', carouselCards: { card: [{ title: 'x', mediaUrl: 'https://e.com/1.jpg', linkText: 'a', linkUrl: 'https://e.com' }] } }, /has 1 card; a carousel needs 2 to 10/, 'carouselCards', '2 cards'],
		['a list without rows', { messageType: 'list', listRows: {} }, /Rows: needs at least one row/, 'listRows', '1 row with a Text and a Payload'],
		['an image URL that is not a URL', { messageType: 'image', images: { image: [{ mediaUrl: 'picture.jpg' }] } }, /Images › Image 1 › Media URL: "picture.jpg" is not an http\(s\) URL/, 'images.image[0].mediaUrl', 'https://'],
		['a template without a project', { messageType: 'template', templateProjectId: { __rl: true, mode: 'id', value: '={{ $json.missing }}' } }, /^Template: is required but empty/, 'templateProjectId', '4a6b4b9e-'],
		['a button label over 20 characters', { messageType: 'list', listButtonLabel: 'Choose one of these options', listRows: { row: [{ text: 'a', payload: 'a' }] } }, /Button Label: is 27 characters long; at most 20/, 'listButtonLabel', 'Show options'],
	])('%s', async (_name, parameters, message, path, example) => {
		const result = await send(parameters);
		expect(server.requests).toHaveLength(0);
		// n8n's RoutingNode re-wraps a declarative node's NodeOperationError in a NodeApiError,
		// keeping its message, description and item index.
		expect(result.error?.name).toMatch(/^Node(Operation|Api)Error$/);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toContain(`Parameter "${path}" of input item 0`);
		expect(result.error?.description).toContain(`A valid value looks like: ${example}`);
	});

	test('the error names the item that was wrong', async () => {
		const result = await send({ identifierValue: '={{ $json.phone }}' }, { items: [{ phone: '+31600000001' }, { phone: 'call me' }] });
		expect(result.error?.message).toMatch(/\(item 1\)$/);
		expect((result.error as unknown as { context: IDataObject }).context.itemIndex).toBe(1);
	});
});

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
		expect(result.error?.message).toBe('The payload is invalid');
		expect(result.error?.description).toContain('Bird error code: InvalidPayload');
		expect(result.error?.description).toContain('receiver.contacts[0].identifierValue: is invalid');
		expect(result.error?.description).toContain('body.text.text: is too long; has bad characters');
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
		expect(out[2].json.error).toBe('rejected');
		expect(out[3].json.id).toBe('msg-four');
		expect(visible(result)).not.toContain(ACCESS_KEY);
	});
});
