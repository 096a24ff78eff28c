/**
 * Bird Trigger receiving deliveries: the sandbox subscribes the node (through its own
 * webhook methods) and delivers signed events to a real HTTP server on 127.0.0.1 that runs the
 * node's webhook() as n8n does. Forged, stale and replayed deliveries must start nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { signature } from '../../scripts/sandbox/webhooks';
import { ACCESS_KEY, reloadPackage } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';
import { post, useTriggerHarness } from '../helpers/trigger';

const sandbox = useSandbox();
const whatsapp = { __rl: true, mode: 'list', value: SANDBOX.channels.whatsapp };
const credentials = () => ({ ...sandboxCredentials(sandbox), organizationId: SANDBOX.organizationId });
const harness = useTriggerHarness({}, credentials);

/** Subscribes the node for `events` (as activating the workflow does) and forgets earlier runs. */
async function activate(events: string[], options: IDataObject = {}) {
	for (const subscription of [...sandbox.webhooks.subscriptions]) sandbox.webhooks.remove(subscription.id);
	harness.parameters = { channelId: whatsapp, events, options };
	harness.staticData.production = {};
	harness.started.length = 0;
	harness.answers.length = 0;
	sandbox.webhooks.retryDelaysMs = [];
	await harness.hook('create');
}

const signingKey = () => (harness.staticData.production.birdSubscriptions as Array<{ signingKey: string }>)[0].signingKey;
const now = () => String(Math.floor(Date.now() / 1000));
const event = (text = 'Hi') =>
	JSON.stringify({
		service: 'channels',
		event: 'whatsapp.inbound',
		payload: { id: `m-${Math.random()}`, channelId: SANDBOX.channels.whatsapp, body: { type: 'text', text: { text } }, sender: { contact: { id: 'c-1', identifierKey: 'phonenumber', identifierValue: '+31600000009' } } },
	});

/** A delivery signed like Bird signs it, with any part overridable to forge one. */
function signed(body: string, opts: { key?: string; url?: string; timestamp?: string } = {}) {
	const timestamp = opts.timestamp ?? now();
	return {
		'messagebird-request-timestamp': timestamp,
		'messagebird-signature': signature(opts.key ?? signingKey(), timestamp, opts.url ?? harness.webhookUrl(), Buffer.from(body)),
	};
}

describe('Bird Trigger: deliveries', () => {
	beforeAll(async () => await activate(['inbound']));

	test('a correctly signed delivery starts the workflow once', async () => {
		const body = event('Hello there');
		const answer = await post(harness.webhookUrl(), body, signed(body));
		expect(answer.status).toBe(200);
		expect(harness.started).toHaveLength(1);
		expect(harness.started[0][0]).toMatchObject({ event: 'whatsapp.inbound', text: 'Hello there' });
	});

	const forgeries: Array<[string, () => { body: string | Buffer; headers: Record<string, string> }]> = [
		['signed with another key', () => ({ body: event(), headers: signed(event(), { key: 'not-the-key-0123456789abcdef0123456789' }) })],
		['body changed by one byte after signing', () => {
			const body = event('Pay 100');
			return { body: body.replace('100', '900'), headers: signed(body) };
		}],
		['signed for another URL', () => ({ body: event(), headers: signed(event(), { url: `${harness.webhookUrl()}?x=1` }) })],
		['stale: signed 10 minutes ago', () => ({ body: event(), headers: signed(event(), { timestamp: String(Math.floor(Date.now() / 1000) - 600) }) })],
		['dated 10 minutes in the future', () => ({ body: event(), headers: signed(event(), { timestamp: String(Math.floor(Date.now() / 1000) + 600) }) })],
		['without signature headers', () => ({ body: event(), headers: {} })],
		['with a signature that is not base64 of anything', () => ({ body: event(), headers: { 'messagebird-request-timestamp': now(), 'messagebird-signature': '!!!' } })],
	];

	test.each(forgeries)('%s: 401, nothing started', async (_name, forge) => {
		const before = harness.started.length;
		const { body, headers } = forge();
		const answer = await post(harness.webhookUrl(), body, headers);
		expect(answer.status).toBe(401);
		expect(answer.body).toEqual({ error: expect.stringMatching(/^Refused: /) });
		expect(harness.started).toHaveLength(before);
	});

	test('a correctly signed body that is not JSON, or not a Bird event: 400, nothing started', async () => {
		const before = harness.started.length;
		for (const body of ['{"service":"channels",', '{"hello":"world"}']) {
			const answer = await post(harness.webhookUrl(), body, signed(body));
			expect(answer.status).toBe(400);
		}
		expect(harness.started).toHaveLength(before);
	});

	test('a stale delivery is accepted when Max Delivery Age allows it', async () => {
		harness.parameters = { ...harness.parameters, options: { maxAgeMinutes: 15 } };
		const body = event('late but fine');
		const answer = await post(harness.webhookUrl(), body, signed(body, { timestamp: String(Math.floor(Date.now() / 1000) - 600) }));
		harness.parameters = { ...harness.parameters, options: {} };
		expect(answer.status).toBe(200);
		expect(harness.started.at(-1)?.[0].text).toBe('late but fine');
	});
});

describe('Bird Trigger: sandbox events, replays and output', () => {
	test('a customer writes: one item with the fields Check Service Window and Reply need', async () => {
		await activate(['inbound']);
		const inbound = await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, text: 'Where is my order?' });
		expect(harness.started).toHaveLength(1);
		const [item] = harness.started[0];
		expect(item).toEqual({
			event: 'whatsapp.inbound',
			channelId: SANDBOX.channels.whatsapp,
			platform: 'whatsapp',
			messageId: inbound.id,
			conversationId: null,
			contact: { id: SANDBOX.openContact.id, identifierKey: 'phonenumber', identifierValue: SANDBOX.openContact.phone, name: SANDBOX.openContact.name },
			type: 'text',
			text: 'Where is my order?',
			status: 'delivered',
			receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			payload: expect.objectContaining({ id: inbound.id, direction: 'incoming' }),
		});
	});

	test("Bird's redelivery of an accepted event is acknowledged with 200 and starts nothing", async () => {
		await activate(['inbound']);
		await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, text: 'once' });
		const redelivered = await sandbox.webhooks.redeliverLast();
		expect(redelivered?.attempts.map((attempt) => attempt.status)).toEqual([200, 200]);
		expect(harness.answers.at(-1)).toEqual({ status: 200, body: { received: true, started: false, reason: 'this event was already accepted' } });
		expect(harness.started).toHaveLength(1);
		// After a restart of n8n only the static data n8n saved remembers the event.
		harness.staticData.production = JSON.parse(JSON.stringify(harness.staticData.production)) as IDataObject;
		reloadPackage();
		await sandbox.webhooks.redeliverLast();
		expect(harness.answers.at(-1)?.body).toMatchObject({ started: false });
		expect(harness.started).toHaveLength(1);
		// ...and without it, the same delivery would start the workflow again: the check above is real.
		harness.staticData.production = { birdSubscriptions: harness.staticData.production.birdSubscriptions };
		reloadPackage();
		await sandbox.webhooks.redeliverLast();
		expect(harness.started).toHaveLength(2);
	});

	test('an image: its caption is the text', async () => {
		await activate(['inbound']);
		await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, body: { type: 'image', image: { images: [{ mediaUrl: 'https://example.com/a.jpg' }], text: 'my receipt' } } });
		expect(harness.started[0][0]).toMatchObject({ type: 'image', text: 'my receipt' });
	});

	test('a button click: the interaction type and the chosen payload', async () => {
		await activate(['interaction']);
		const sent = sandbox.messages.at(-1) ?? (await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone }));
		await sandbox.interaction({ messageId: sent.id, type: 'clicked', payload: 'track-order' });
		expect(harness.started[0][0]).toMatchObject({ event: 'whatsapp.interaction', messageId: sent.id, type: 'clicked', text: 'track-order' });
	});

	test('status updates: one run per status, off by default', async () => {
		await activate(['outbound'], { messageStatuses: ['delivered'] });
		const response = await fetch(`${sandbox.url}/workspaces/${SANDBOX.workspaceId}/channels/${SANDBOX.channels.whatsapp}/messages`, {
			method: 'POST',
			headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json', connection: 'close' },
			body: JSON.stringify({ receiver: { contacts: [{ identifierKey: 'phonenumber', identifierValue: SANDBOX.openContact.phone }] }, body: { type: 'text', text: { text: 'Your parcel' } } }),
		});
		const message = (await response.json()) as IDataObject;
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect(harness.started.map((run) => run[0].status)).toEqual(['delivered']);
		expect(harness.started[0][0]).toMatchObject({
			event: 'whatsapp.outbound',
			messageId: message.id,
			contact: { identifierValue: SANDBOX.openContact.phone },
			text: 'Your parcel',
		});
		expect(
			sandbox.webhooks.subscriptions.map((subscription) => subscription.eventFilters.map((filter) => filter.key)),
		).toEqual([['channelId', 'messageStatus']]);
	});

	test('conversation events: the contact’s message starts the workflow once; replies and later updates do not', async () => {
		await activate(['conversation.created', 'conversation.updated']);
		const phone = '+31655500011';
		await sandbox.inbound({ identifierValue: phone, text: 'First message' });
		expect(harness.started).toHaveLength(1);
		const [first] = harness.started[0];
		expect(first).toMatchObject({
			event: 'conversation.created',
			conversationId: expect.any(String),
			contact: { identifierKey: 'phonenumber', identifierValue: phone },
			text: 'First message',
			status: 'active',
		});
		const conversation = sandbox.conversations.get(String(first.conversationId));
		expect((first.contact as IDataObject).id).toBe(sandbox.findContact('phonenumber', phone)?.id);

		// Our own reply updates the conversation: no run.
		await fetch(`${sandbox.url}/workspaces/${SANDBOX.workspaceId}/conversations/${String(conversation?.id)}/messages`, {
			method: 'POST',
			headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json', connection: 'close' },
			body: JSON.stringify({ participantType: 'accessKey', participantId: SANDBOX.accessKeyId, body: { type: 'text', text: { text: 'Hi!' } } }),
		});
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(harness.answers.at(-1)?.body).toMatchObject({ started: false, reason: 'not a new message from a contact' });
		await sandbox.inbound({ identifierValue: phone, text: 'Second message' });
		expect(harness.started.map((run) => [run[0].event, run[0].text])).toEqual([
			['conversation.created', 'First message'],
			['conversation.updated', 'Second message'],
		]);
	});

	test('nothing the trigger outputs or stores carries the access key', async () => {
		expect(JSON.stringify(harness.started)).not.toContain(SANDBOX.accessKey);
		expect(JSON.stringify(harness.staticData)).not.toContain(SANDBOX.accessKey);
		expect(JSON.stringify(harness.answers)).not.toContain(ACCESS_KEY);
	});
});
