/**
 * Exactly once, as n8n users really run the nodes (issue #18):
 * - n8n's Retry On Fail reruns a node with the same input when it throws: an item Bird accepted
 *   is never sent again (its first result comes back), an item whose first try may have arrived
 *   is refused rather than guessed, and only items Bird refused go out again. For Send Message
 *   (per message and in batches), Create Conversation and Reply.
 * - Batch mode attributes every listed message to its own item by reference, whatever the
 *   listing's order and whatever repeats the batch holds; reading back is bounded; items join
 *   their batch in input order whatever their window checks cost.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import type { RecordedRequest } from '../helpers/bird-server';
import { BirdTestServer, useBirdServer } from '../helpers/bird-server';
import { CHANNEL_ID, credentialsFor, runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const CONVERSATION_ID = 'aaf0ceff-de0d-4a63-b624-ae9bf0354912';
const SENDER_ID = 'e0b759f7-c366-4223-87a5-d1186ba4644f';

/** The text a recorded request carried, wherever the node put it. */
function textOf(request: RecordedRequest): string {
	const body = (request.body ?? {}) as IDataObject;
	const message = ((body.initialMessage as IDataObject | undefined) ?? body) as IDataObject;
	return String((((message.body as IDataObject | undefined)?.text as IDataObject | undefined) ?? {}).text ?? '');
}

/** Bird: refuses "reject me" (422, not processed), answers "slow" after the node's timeout (it arrived), accepts the rest. */
function bird(request: RecordedRequest) {
	const text = textOf(request);
	if (text === 'reject me') return { status: 422, body: { code: 'InvalidPayload', message: 'rejected', details: { 'body.text.text': ['no'] } } };
	if (text === 'slow') return { status: 202, body: { id: 'msg-slow', status: 'accepted' }, delayMs: 1500 };
	if (text === 'gateway') return { status: 504, raw: '<html><body><h1>504 Gateway Time-out</h1></body></html>', headers: { 'content-type': 'text/html' } };
	return { status: 202, body: { id: `msg-${text}`, status: 'accepted' } };
}

const channel = { __rl: true, mode: 'id', value: CHANNEL_ID };
const NODES: Record<string, IDataObject> = {
	birdSendMessage: { channelId: channel, identifierValue: '+31600000001', messageType: 'text', text: '={{ $json.text }}' },
	birdCreateConversation: { channelId: channel, identifierValue: '+31600000001', messageType: 'text', text: '={{ $json.text }}' },
	birdReply: { conversationId: CONVERSATION_ID, participantId: SENDER_ID, identifierValue: '+31600000001', messageType: 'text', text: '={{ $json.text }}' },
};

describe("n8n's Retry On Fail", () => {
	const server = useBirdServer(bird);
	const run = (type: string, texts: string[], more: IDataObject = {}, onError?: 'continueRegularOutput' | 'continueErrorOutput') =>
		runNode({
			type,
			parameters: { ...NODES[type], delivery: { timeout: 400, maxRetries: 0 }, ...more },
			items: texts.map((text) => ({ text })),
			credentials: credentialsFor(server.url),
			retryOnFail: 3,
			onError,
		});
	const sentTexts = () => server.requests.filter((request) => request.method === 'POST').map(textOf);

	describe.each(Object.keys(NODES))('%s', (type) => {
		test('Stop: Bird refuses item 2, n8n reruns the node twice; items 0 and 1 go out once, only the refused one again', async () => {
			const result = await run(type, ['one', 'two', 'reject me']);
			expect(result.error?.message).toMatch(/^rejected: body\.text\.text \(Text\): no/);
			expect(sentTexts()).toEqual(['one', 'two', 'reject me', 'reject me', 'reject me']);
		});

		test('a message whose answer timed out (it arrived) is not sent again on the rerun; the rerun says why', async () => {
			const result = await run(type, ['one', 'slow', 'reject me']);
			expect(sentTexts().filter((text) => text !== 'reject me')).toEqual(['one', 'slow']);
			expect(result.error?.message).toMatch(/^(rejected|Not sent again: the first try may already have reached Bird)/);
		});

		test('a gateway 504 (no answer from Bird itself) is neither retried by the node nor sent again by n8n', async () => {
			const result = await run(type, ['one', 'gateway']);
			expect(sentTexts()).toEqual(['one', 'gateway']);
			expect(result.error?.message).toBe('Not sent again: the first try may already have reached Bird');
			expect(result.error?.description).toMatch(/HTTP 504.*may have arrived|504/);
		});

		test('Continue: n8n does not rerun; each item once, the refused one as its error item', async () => {
			const result = await run(type, ['one', 'reject me', 'three'], {}, 'continueRegularOutput');
			expect(result.error).toBeUndefined();
			expect(sentTexts()).toEqual(['one', 'reject me', 'three']);
			expect(result.outputs[0].map((item) => item.json.error ?? 'sent')).toEqual(['sent', expect.stringMatching(/^rejected/), 'sent']);
		});
	});

	test('the rerun hands back each sent item\'s first result, with its pairing', async () => {
		// Two items accepted on the first try, one refused each time: n8n's last try is an error; with a third item that only fails on the first try, the rerun succeeds.
		let first = true;
		server.respond((request) => {
			if (textOf(request) === 'once') {
				const answer = first ? { status: 422, body: { code: 'InvalidPayload', message: 'not yet' } } : { status: 202, body: { id: 'msg-once', status: 'accepted' } };
				first = false;
				return answer;
			}
			return bird(request);
		});
		const result = await run('birdSendMessage', ['one', 'two', 'once']);
		expect(result.error).toBeUndefined();
		expect(sentTexts()).toEqual(['one', 'two', 'once', 'once']);
		expect(result.outputs[0].map((item) => [item.json.id, item.pairedItem])).toEqual([
			['msg-one', { item: 0 }],
			['msg-two', { item: 1 }],
			['msg-once', { item: 2 }],
		]);
	});
});

describe('batch mode', () => {
	const sandbox = useSandbox();
	const whatsapp = { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp };
	const outgoing = () => sandbox.messages.filter((message) => message.direction === 'outgoing');

	test("Retry On Fail: a message Bird rejects when it validates the batch goes out again, the batch's others never", async () => {
		const items = [SANDBOX.openContact.phone, SANDBOX.closedContact.phone, SANDBOX.openContact.phone].map((phone, n) => ({ phone, text: `text ${n}` }));
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: { channelId: whatsapp, identifierValue: '={{ $json.phone }}', messageType: 'text', text: '={{ $json.text }}', sendMode: 'batch' },
			items,
			credentials: sandboxCredentials(sandbox),
			retryOnFail: 3,
		});
		// Joe's window has closed: Bird rejects his free-form text on every try.
		expect(result.error?.message).toMatch(/closed/);
		const texts = outgoing().map((message) => `${String((message.receiver as IDataObject & { contacts: IDataObject[] }).contacts[0].identifierValue)}: ${String(((message.body as IDataObject).text as IDataObject).text)}`);
		expect(texts.filter((text) => text.startsWith(SANDBOX.openContact.phone))).toEqual([`${SANDBOX.openContact.phone}: text 0`, `${SANDBOX.openContact.phone}: text 2`]);
		expect(texts.filter((text) => text.startsWith(SANDBOX.closedContact.phone))).toHaveLength(3);
	});

	test('two messages to one number without a reference, the second rejected, the listing newest first: each item gets its own outcome', async () => {
		const result = await runNode({
			type: 'birdSendMessage',
			typeVersion: 1.1,
			parameters: {
				channelId: whatsapp,
				identifierValue: SANDBOX.openContact.phone,
				messageType: 'template',
				templateProjectId: { __rl: true, mode: 'id', value: SANDBOX.templateProjectId },
				templateLocale: '={{ $json.locale }}',
				templateVariables: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
				sendMode: 'batch',
			},
			// The order template has en and nl: Bird rejects fr when it validates the batch.
			items: [
				{ locale: 'en', name: 'Jane' },
				{ locale: 'fr', name: 'Jane' },
			],
			credentials: sandboxCredentials(sandbox),
			continueOnFail: true,
		});
		const [first, second] = result.outputs[0].map((item) => item.json);
		const english = outgoing().find((message) => (message.template as IDataObject).locale === 'en');
		expect(first.error).toBeUndefined();
		expect(first.id).toBe(english?.id);
		expect(first.status).toBe('sent');
		expect(second.error).toMatch(/^Bird rejected the message: template\.locale/);
		expect(outgoing()).toHaveLength(2);
	});

	test('a repeated reference never shares a batch: the items go in two batches, and each is attributed by its reference', async () => {
		const items = [0, 1, 2].map((n) => ({ phone: SANDBOX.openContact.phone, text: `same ref ${n}` }));
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: { channelId: whatsapp, identifierValue: '={{ $json.phone }}', messageType: 'text', text: '={{ $json.text }}', sendMode: 'batch', options: { reference: 'order-1' } },
			items,
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const batches = sandbox.log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/batch/messages'));
		expect(batches).toHaveLength(3);
		const byText = new Map(outgoing().map((message) => [String(((message.body as IDataObject).text as IDataObject).text), message.id]));
		expect(result.outputs[0].map((item) => item.json.id)).toEqual(items.map((item) => byText.get(item.text)));
		expect(result.outputs[0].map((item) => item.json.referenceSetByNode)).toEqual([undefined, undefined, undefined]);
	});

	test('items join their batch in input order, whatever each window check costs', async () => {
		const people = [
			{ phone: SANDBOX.openContact.phone, name: 'Jane' },
			{ phone: SANDBOX.closedContact.phone, name: 'Joe' },
			{ phone: '+31699999991', name: 'Stranger 1' },
			{ phone: SANDBOX.openContact.phone, name: 'Jane again' },
			{ phone: '+31699999992', name: 'Stranger 2' },
		];
		const result = await runNode({
			type: 'birdSendMessage',
			typeVersion: 1.1,
			parameters: {
				channelId: whatsapp,
				identifierValue: '={{ $json.phone }}',
				messageType: 'text',
				text: '=Hi {{ $json.name }}',
				sendMode: 'batch',
				ifWindowClosed: 'template',
				fallbackTemplateProjectId: { __rl: true, mode: 'list', value: SANDBOX.templateProjectId },
				fallbackTemplateLocale: 'en',
				fallbackTemplateVariables: {
					mappingMode: 'defineBelow',
					value: { name: '={{ $json.name }}' },
					matchingColumns: [],
					schema: [{ id: 'name', displayName: 'name', required: true, defaultMatch: false, display: true, type: 'string' }],
				},
			},
			items: people,
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const names = outgoing().map((message) => {
			const text = ((message.body as IDataObject | undefined)?.text as IDataObject | undefined)?.text;
			return text ? String(text).replace(/^Hi /, '') : String(((message.template as IDataObject).parameters as IDataObject[])[0].value);
		});
		expect(names).toEqual(people.map((person) => person.name));
	});
});

describe('reading a batch back', () => {
	/** A Bird whose listing ignores the batch filter: page after page of the channel's history. */
	function historyBird(listed: (page: number) => IDataObject[]) {
		return (request: RecordedRequest) => {
			if (request.method === 'POST') {
				const messages = ((request.body as IDataObject).messageRequests as IDataObject[]).map((message, n) => ({ id: `batch-msg-${n}`, reference: message.reference, status: 'sent' }));
				batchMessages.push(...messages);
				return { status: 202, body: { batchId: 'b-1', status: 'accepted' } };
			}
			const page = Number(request.query.pageToken ?? 0);
			return { status: 200, body: { results: listed(page), nextPageToken: String(page + 1) } };
		};
	}
	let batchMessages: IDataObject[] = [];
	const server = new BirdTestServer();
	beforeAll(async () => void (await server.start()));
	afterAll(async () => await server.stop());
	beforeEach(() => {
		batchMessages = [];
		server.requests.length = 0;
	});
	const send = (seconds: number) =>
		runNode({
			type: 'birdSendMessage',
			parameters: { channelId: { __rl: true, mode: 'id', value: CHANNEL_ID }, identifierValue: '+31600000001', messageType: 'text', text: '={{ $json.text }}', sendMode: 'batch', validationWaitSeconds: seconds },
			items: [{ text: 'a' }, { text: 'b' }],
			credentials: credentialsFor(server.url),
		});
	const reads = () => server.requests.filter((request) => request.method === 'GET');

	test('stops as soon as every message of the batch is accounted for, though the listing has more pages', async () => {
		server.respond(historyBird((page) => (page === 0 ? [{ id: 'other', reference: 'not ours', status: 'sent' }, ...batchMessages] : [{ id: `old-${page}`, status: 'sent' }])));
		const result = await send(60);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json.id)).toEqual(['batch-msg-0', 'batch-msg-1']);
		expect(reads()).toHaveLength(1);
	});

	test('an endless history without the batch: a bounded number of reads, the wait honoured between pages, each item a warning', async () => {
		server.respond(historyBird((page) => Array.from({ length: 100 }, (_, n) => ({ id: `old-${page}-${n}`, status: 'sent' }))));
		const started = Date.now();
		const result = await send(2);
		const took = Date.now() - started;
		expect(result.error).toBeUndefined();
		expect(reads().length).toBeGreaterThan(0);
		expect(reads().length).toBeLessThanOrEqual(20);
		expect(took).toBeLessThan(6000);
		expect(result.outputs[0].map((item) => item.json.warning)).toEqual(Array(2).fill(expect.stringMatching(/^Bird had not validated this message 2 s after accepting the batch/)));
	});
});
