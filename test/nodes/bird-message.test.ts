/**
 * Bird Channels › Message, against the Bird sandbox (messages sent through it, or written in by
 * contacts) and a scripted server for Bird's paging and refusals.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { useBirdServer } from '../helpers/bird-server';
import type { OnError } from '../helpers/n8n';
import { CHANNEL_ID, credentialsFor, runNode, searchList, WORKSPACE_ID } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();
const scripted = useBirdServer();

const whatsapp = { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp };
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const ANN = '+31630000001';
const BOB = '+31630000002';

async function message(operation: string, parameters: IDataObject, items?: IDataObject[], onError?: OnError) {
	return await runNode({ type: 'bird', parameters: { resource: 'message', operation, channelId: whatsapp, ...parameters }, items, credentials: sandboxCredentials(sandbox), onError });
}

const json = (result: { outputs: Array<Array<{ json: IDataObject }>> }) => result.outputs[0].map((item) => item.json);
const text = (body: string) => ({ type: 'text', text: { text: body } });
const routes = () => sandbox.log.map((entry) => `${entry.method} ${entry.path.replace(`/workspaces/${SANDBOX.workspaceId}`, '')}`);

/** Ann: 3 messages sent to her, 2 from her; Bob: 2 sent to him; one SMS to Ann on another channel. */
async function conversationHistory() {
	for (const n of [1, 2, 3]) sandbox.businessMessage({ channelId: SANDBOX.channels.whatsapp, to: ANN, body: text(`To Ann ${n}`) });
	await sandbox.inbound({ identifierValue: ANN, text: 'From Ann 1' });
	await sandbox.inbound({ identifierValue: ANN, text: 'From Ann 2' });
	for (const n of [1, 2]) sandbox.businessMessage({ channelId: SANDBOX.channels.whatsapp, to: BOB, body: text(`To Bob ${n}`) });
	sandbox.businessMessage({ channelId: SANDBOX.channels.sms, to: ANN, body: text('SMS to Ann') });
	sandbox.log.length = 0;
}

const texts = (result: { outputs: Array<Array<{ json: IDataObject }>> }) => json(result).map((item) => item.text);

describe('Get', () => {
	test('the message Send Message output: status, channel, contact, text (simplified) or Bird’s object', async () => {
		const sent = await runNode({
			type: 'birdSendMessage',
			typeVersion: 1.1,
			parameters: { channelId: whatsapp, identifierValue: SANDBOX.openContact.phone, messageType: 'text', text: 'Your order ships today' },
			credentials: sandboxCredentials(sandbox),
		});
		const id = String(sent.outputs[0][0].json.id);
		const simple = await message('get', { messageId: byId('={{ $json.id }}') }, [sent.outputs[0][0].json]);
		expect(json(simple)).toEqual([
			{
				id,
				channelId: SANDBOX.channels.whatsapp,
				direction: 'outgoing',
				status: 'accepted',
				contact: { identifierKey: 'phonenumber', identifierValue: SANDBOX.openContact.phone },
				type: 'text',
				text: 'Your order ships today',
				createdAt: expect.any(String),
			},
		]);
		const raw = await message('get', { messageId: byId(id), simplify: false });
		expect(json(raw)[0]).toMatchObject({ id, body: text('Your order ships today'), receiver: { contacts: [{ identifierValue: SANDBOX.openContact.phone }] } });
		expect(routes().at(-1)).toBe(`GET /channels/${SANDBOX.channels.whatsapp}/messages/${id}`);
	});

	test('a failed message shows its failure code and source', async () => {
		const failed = sandbox.businessMessage({ channelId: SANDBOX.channels.whatsapp, to: ANN, body: text('Hi') });
		Object.assign(failed, { status: 'delivery_failed', failure: { code: 131026, description: 'Message undeliverable', source: { code: '131026', name: 'whatsapp' } } });
		const result = await message('get', { messageId: byId(failed.id) });
		expect(json(result)[0]).toMatchObject({ status: 'delivery_failed', failure: { code: 131026, source: { name: 'whatsapp' } } });
	});

	test("unknown message, a message of another channel, an unknown channel: Bird's 404; Continue keeps each item's error", async () => {
		const sms = sandbox.businessMessage({ channelId: SANDBOX.channels.sms, to: ANN, body: text('Hi') });
		const items = [
			{ channel: SANDBOX.channels.whatsapp, id: 'deadbeef-0000-4000-8000-000000000000' },
			{ channel: SANDBOX.channels.whatsapp, id: sms.id },
			{ channel: 'deadbeef-0000-4000-8000-0000000000cc', id: sms.id },
			{ channel: SANDBOX.channels.sms, id: sms.id },
		];
		const result = await message('get', { channelId: byId('={{ $json.channel }}'), messageId: byId('={{ $json.id }}') }, items, 'continueRegularOutput');
		expect(json(result).map((item) => item.error ?? item.status)).toEqual(['Message not found', 'Message not found', 'Channel not found', 'sent']);
		expect(json(result)[0].errorDetails).toMatchObject({ httpCode: '404', code: 'NotFound' });
		const stopped = await message('get', { messageId: byId('deadbeef-0000-4000-8000-000000000000') });
		expect(stopped.error?.message).toBe('Message not found');
	});
});

describe('Get Many: filters', () => {
	test("a contact by phone number: found with contact search, then the channel's messages with them, newest first", async () => {
		await conversationHistory();
		const result = await message('getAll', { returnAll: true, filters: { contact: '+31 6 3000 0001' } });
		expect(texts(result)).toEqual(['From Ann 2', 'From Ann 1', 'To Ann 3', 'To Ann 2', 'To Ann 1']);
		const annId = sandbox.findContact('phonenumber', ANN)?.id;
		expect(routes()).toEqual(['POST /contacts/search', `GET /channels/${SANDBOX.channels.whatsapp}/messages`]);
		const byContactId = await message('getAll', { returnAll: true, filters: { contact: annId } });
		expect(texts(byContactId)).toEqual(texts(result));
	});

	test('a contact Bird does not know has no messages: nothing is listed', async () => {
		await conversationHistory();
		const result = await message('getAll', { returnAll: true, filters: { contact: '+31699999999' } });
		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(0);
		expect(routes()).toEqual(['POST /contacts/search']);
	});

	test('direction, status, time range and batch', async () => {
		await conversationHistory();
		const incoming = await message('getAll', { returnAll: true, filters: { direction: 'incoming' } });
		expect(texts(incoming)).toEqual(['From Ann 2', 'From Ann 1']);
		const sent = await message('getAll', { returnAll: true, filters: { status: 'sent', contact: BOB } });
		expect(texts(sent)).toEqual(['To Bob 2', 'To Bob 1']);

		const hour = 3_600_000;
		const iso = (offset: number) => new Date(Date.now() + offset).toISOString();
		expect((await message('getAll', { returnAll: true, filters: { startAt: iso(-hour), endAt: iso(hour) } })).outputs[0]).toHaveLength(7);
		expect((await message('getAll', { returnAll: true, filters: { startAt: iso(hour) } })).outputs[0]).toHaveLength(0);
		expect((await message('getAll', { returnAll: true, filters: { endAt: iso(-hour) } })).outputs[0]).toHaveLength(0);

		const batch = 'b0000000-0000-4000-8000-000000000001';
		sandbox.messages.filter((entry) => String((entry.body as IDataObject | undefined)?.type) === 'text' && /To Bob/.test(JSON.stringify(entry.body))).forEach((entry) => (entry.batchId = batch));
		const batched = await message('getAll', { returnAll: true, filters: { batchId: batch } });
		expect(texts(batched)).toEqual(['To Bob 2', 'To Bob 1']);
		const query = sandbox.log.at(-1);
		expect(query?.path).toBe(`/workspaces/${SANDBOX.workspaceId}/channels/${SANDBOX.channels.whatsapp}/messages`);
	});

	test('expressions per item: each contact its own messages, paired with its item', async () => {
		await conversationHistory();
		const result = await message('getAll', { returnAll: true, filters: { contact: '={{ $json.phone }}', direction: 'outgoing' } }, [{ phone: BOB }, { phone: ANN }]);
		expect(texts(result)).toEqual(['To Bob 2', 'To Bob 1', 'To Ann 3', 'To Ann 2', 'To Ann 1']);
		expect(result.outputs[0].map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 0, 1, 1, 1]);
	});
});

describe('Get Many: Return All and Limit', () => {
	test('Limit 5 of 12 gives the 5 newest; Return All gives 12 in one request of up to 1000', async () => {
		for (let n = 1; n <= 12; n++) sandbox.businessMessage({ channelId: SANDBOX.channels.whatsapp, to: ANN, body: text(`Message ${n}`) });
		const five = await message('getAll', { limit: 5 });
		expect(texts(five)).toEqual(['Message 12', 'Message 11', 'Message 10', 'Message 9', 'Message 8']);
		const all = await message('getAll', { returnAll: true });
		expect(all.outputs[0]).toHaveLength(12);
	});

	test('with pages of 10, Return All follows nextPageToken and Limit asks only for what it needs', async () => {
		const messages = Array.from({ length: 12 }, (_, n) => ({ id: `m${n}`, status: 'delivered', channelId: CHANNEL_ID }));
		scripted.respond((request) => {
			const start = request.query.pageToken === 'next' ? 10 : 0;
			return { status: 200, body: { results: messages.slice(start, start + 10), ...(start ? {} : { nextPageToken: 'next' }) } };
		});
		const run = (parameters: IDataObject) =>
			runNode({ type: 'bird', parameters: { resource: 'message', operation: 'getAll', channelId: { __rl: true, mode: 'id', value: CHANNEL_ID }, ...parameters }, credentials: credentialsFor(scripted.url) });
		const all = await run({ returnAll: true, filters: { status: 'delivered' } });
		expect(all.outputs[0].map((item) => item.json.id)).toEqual(messages.map((entry) => entry.id));
		expect(scripted.requests.map((request) => request.query)).toEqual([
			{ limit: '1000', status: 'delivered' },
			{ limit: '1000', status: 'delivered', pageToken: 'next' },
		]);
		expect(scripted.requests[0].path).toBe(`/workspaces/${WORKSPACE_ID}/channels/${CHANNEL_ID}/messages`);
		scripted.reset();
		const five = await run({ limit: 5 });
		expect(five.outputs[0]).toHaveLength(5);
		expect(scripted.requests.map((request) => request.query)).toEqual([{ limit: '5' }]);
	});

	test("Bird's 422 (a time range it refuses) is the item's error with Bird's details", async () => {
		scripted.respond(() => ({ status: 422, body: { code: 'InvalidPayload', message: 'Invalid query', details: { endAt: ['must be at most 7 days after startAt'] } } }));
		const result = await runNode({
			type: 'bird',
			parameters: { resource: 'message', operation: 'getAll', channelId: { __rl: true, mode: 'id', value: CHANNEL_ID }, returnAll: true, filters: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-02-01T00:00:00Z' } },
			credentials: credentialsFor(scripted.url),
			onError: 'continueRegularOutput',
		});
		expect(result.outputs[0][0].json).toMatchObject({
			error: 'Invalid query: endAt: must be at most 7 days after startAt',
			errorDetails: { httpCode: '422', code: 'InvalidPayload', details: { endAt: ['must be at most 7 days after startAt'] } },
		});
		expect(scripted.requests[0].query).toEqual({ limit: '1000', startAt: '2026-01-01T00:00:00.000Z', endAt: '2026-02-01T00:00:00.000Z' });
		expect(scripted.requests).toHaveLength(1);
	});

	test("dates as workflows give them (Luxon's DateTime, a Date, a Date's text, ISO with an offset) are sent as UTC", async () => {
		scripted.respond(() => ({ status: 200, body: { results: [] } }));
		for (const startAt of [
			'={{ DateTime.fromISO("2026-01-01T01:00:00+01:00") }}',
			'={{ new Date("2026-01-01T00:00:00Z") }}',
			'={{ new Date("2026-01-01T00:00:00Z").toString() }}',
			'2026-01-01T05:30:00+05:30',
		]) {
			const result = await runNode({
				type: 'bird',
				parameters: { resource: 'message', operation: 'getAll', channelId: { __rl: true, mode: 'id', value: CHANNEL_ID }, returnAll: true, filters: { startAt } },
				credentials: credentialsFor(scripted.url),
			});
			expect(result.error).toBeUndefined();
			expect(scripted.requests.at(-1)?.query.startAt).toBe('2026-01-01T00:00:00.000Z');
		}
	});
});

describe('the Message picker', () => {
	test("lists the chosen channel's newest messages; without a channel, nothing", async () => {
		const sent = sandbox.businessMessage({ channelId: SANDBOX.channels.whatsapp, to: ANN, body: text('Hello Ann') });
		const page = await searchList({ type: 'bird', method: 'searchMessages', credentials: sandboxCredentials(sandbox), parameters: { resource: 'message', operation: 'get', channelId: whatsapp } });
		expect(page.results[0]).toEqual({ name: expect.stringContaining(`to · ${ANN} · "Hello Ann" · sent`), value: sent.id });
		const none = await searchList({ type: 'bird', method: 'searchMessages', credentials: sandboxCredentials(sandbox), parameters: { resource: 'message', operation: 'get' } });
		expect(none.results).toEqual([]);
	});
});

describe('Message › Download Media (where the workflow runs, as a queue-mode worker needs it)', () => {
	test("a customer's photo and PDF, one message each: binary data in data, fetched with the access key; a text message has no files", async () => {
		const photo = await sandbox.inbound({ identifierValue: ANN, body: sandbox.customerFile('image', 'the broken part') });
		const pdf = await sandbox.inbound({ identifierValue: ANN, body: sandbox.customerFile('pdf') });
		const plain = await sandbox.inbound({ identifierValue: ANN, text: 'no files here' });
		sandbox.log.length = 0;
		const result = await runNode({
			type: 'bird',
			parameters: { resource: 'message', operation: 'downloadMedia', channelId: whatsapp, messageId: byId('={{ $json.id }}') },
			items: [{ id: photo.id }, { id: pdf.id }, { id: plain.id }],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const [first, second, third] = result.outputs[0];
		expect(first.binary?.data).toMatchObject({ mimeType: 'image/png' });
		expect(second.binary?.data).toMatchObject({ mimeType: 'application/pdf', fileName: 'invoice.pdf' });
		expect(third.binary).toBeUndefined();
		expect(third.json).toEqual({ messageId: plain.id, channelId: SANDBOX.channels.whatsapp, files: [] });
		expect(sandbox.log.filter((entry) => entry.path.startsWith('/media/')).map((entry) => entry.status)).toEqual([200, 200]);
	});

	test('a file larger than Max File Size fails its item, naming the limit', async () => {
		const voice = await sandbox.inbound({ identifierValue: ANN, body: sandbox.customerFile('voice') });
		const result = await message('downloadMedia', { messageId: byId(voice.id), maxFileSizeMb: 0.001 }, undefined, 'continueRegularOutput');
		expect(json(result)[0].error).toMatch(/more than the 0\.0 MiB allowed|larger than the 0\.0 MiB allowed/);
	});
});
