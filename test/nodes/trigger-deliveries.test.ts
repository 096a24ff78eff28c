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

const signingKey = () => (harness.staticData.production.birdSubscriptions as { signingKey: string }).signingKey;
const now = () => String(Math.floor(Date.now() / 1000));
const event = (text = 'Hi') =>
	JSON.stringify({
		service: 'channels',
		event: 'whatsapp.inbound',
		payload: { id: `m-${Math.random()}`, channelId: SANDBOX.channels.whatsapp, body: { type: 'text', text: { text } }, sender: { contact: { id: 'c-1', identifierKey: 'phonenumber', identifierValue: '+31600000009' } } },
	});

const secondsAgo = (seconds: number) => String(Math.floor(Date.now() / 1000) - seconds);

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

	/** Each forgery changes one thing about a correctly signed delivery of one and the same body. */
	const forgeries: Array<[string, (body: string) => { body: string; headers: Record<string, string> }]> = [
		['signed with another key', (body) => ({ body, headers: signed(body, { key: 'not-the-key-0123456789abcdef0123456789' }) })],
		['body changed by one byte after signing', (body) => ({ body: body.replace('"Hi"', '"Hj"'), headers: signed(body) })],
		['signed for another URL', (body) => ({ body, headers: signed(body, { url: `${harness.webhookUrl()}?x=1` }) })],
		['stale: correctly signed 25 hours ago (Max Age 24 hours, the default)', (body) => ({ body, headers: signed(body, { timestamp: secondsAgo(25 * 3600) }) })],
		['dated 2 minutes in the future', (body) => ({ body, headers: signed(body, { timestamp: secondsAgo(-120) }) })],
		['without signature headers', (body) => ({ body, headers: {} })],
		['with a signature that is not base64 of anything', (body) => ({ body, headers: { 'messagebird-request-timestamp': now(), 'messagebird-signature': '!!!' } })],
		['with a timestamp that is not Unix seconds', (body) => ({ body, headers: signed(body, { timestamp: '2026-11-23T10:00:00Z' }) })],
	];

	test.each(forgeries)('%s: 401, nothing started', async (_name, forge) => {
		const before = harness.started.length;
		const { body, headers } = forge(event('Hi'));
		const answer = await post(harness.webhookUrl(), body, headers);
		expect(answer.status).toBe(401);
		expect(answer.body).toEqual({ error: expect.stringMatching(/^Refused: /) });
		expect(harness.started).toHaveLength(before);
	});

	test.each([
		['signed 4 minutes ago', () => secondsAgo(240)],
		['dated 30 seconds in the future (clocks differ a little)', () => secondsAgo(-30)],
	])('inside the limits, %s: accepted', async (_name, timestamp) => {
		const before = harness.started.length;
		const body = event('in time');
		expect((await post(harness.webhookUrl(), body, signed(body, { timestamp: timestamp() }))).status).toBe(200);
		expect(harness.started).toHaveLength(before + 1);
	});

	test('a signed body that is not a Bird event: 400; one that is not JSON: n8n answers 422 before the node, or the node 400 for other types; nothing started', async () => {
		const before = harness.started.length;
		const notAnEvent = '{"hello":"world"}';
		expect((await post(harness.webhookUrl(), notAnEvent, signed(notAnEvent))).status).toBe(400);
		const broken = '{"service":"channels",';
		expect((await post(harness.webhookUrl(), broken, signed(broken))).status).toBe(422);
		expect((await post(harness.webhookUrl(), broken, { ...signed(broken), 'content-type': 'text/plain' })).status).toBe(400);
		expect(harness.started).toHaveLength(before);
	});

	test("Bird's retry of a delivery that failed 3 hours ago, with its first timestamp: accepted and started; the same forged is refused", async () => {
		const before = harness.started.length;
		const body = event('sent while n8n was down');
		const threeHoursAgo = secondsAgo(3 * 3600);
		expect((await post(harness.webhookUrl(), body, signed(body, { timestamp: threeHoursAgo }))).status).toBe(200);
		expect(harness.started).toHaveLength(before + 1);
		const forged = body.replace('down', 'DOWN');
		expect((await post(harness.webhookUrl(), forged, signed(body, { timestamp: threeHoursAgo }))).status).toBe(401);
		expect(harness.started).toHaveLength(before + 1);
	});

	test('Max Delivery Age set to 5: a delivery signed 6 minutes ago is refused', async () => {
		harness.parameters = { ...harness.parameters, options: { maxAgeMinutes: 5 } };
		const before = harness.started.length;
		const body = event('too late for 5 minutes');
		const answer = await post(harness.webhookUrl(), body, signed(body, { timestamp: secondsAgo(360) }));
		harness.parameters = { ...harness.parameters, options: {} };
		expect(answer.status).toBe(401);
		expect(answer.body).toEqual({ error: expect.stringMatching(/^Refused: the delivery is 36[01] s old; at most 300 s are accepted$/) });
		expect(harness.started).toHaveLength(before);
	});

	test('a stale delivery is accepted when Max Delivery Age allows it', async () => {
		harness.parameters = { ...harness.parameters, options: { maxAgeMinutes: 15 } };
		const body = event('late but fine');
		const answer = await post(harness.webhookUrl(), body, signed(body, { timestamp: secondsAgo(600) }));
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
			button: null,
			replyTo: null,
			receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			payload: expect.objectContaining({ id: inbound.id, direction: 'incoming' }),
			// The same for every retry of this event: what Remove Duplicates keys on after a restart.
			eventId: `whatsapp.inbound:${inbound.id}:delivered`,
		});
		// Bird gets a JSON answer, not n8n's default body.
		expect(harness.answers.at(-1)).toEqual({ status: 200, body: { received: true, started: true } });
	});

	test('a tap on a reply button, in the shape WhatsApp taps reach Bird: its words, its payload and the message it answers', async () => {
		await activate(['inbound']);
		const question = sandbox.businessMessage({
			channelId: SANDBOX.channels.whatsapp,
			to: SANDBOX.openContact.phone,
			body: { type: 'text', text: { text: 'Confirm your appointment?', actions: [{ type: 'postback', postback: { text: 'Yes', payload: 'confirm-42' } }, { type: 'postback', postback: { text: 'No', payload: 'cancel-42' } }] } },
		});
		await sandbox.tap({ messageId: question.id, button: 'No' });
		const [item] = harness.started.at(-1) ?? [];
		expect(item).toMatchObject({ type: 'text', text: 'No', button: { text: 'No', payload: 'cancel-42' }, replyTo: { messageId: question.id, type: 'click' } });
	});

	test("Bird's redelivery of an accepted event is acknowledged with 200 and starts nothing", async () => {
		await activate(['inbound']);
		await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, text: 'once' });
		const redelivered = await sandbox.webhooks.redeliver();
		expect(redelivered?.attempts.map((attempt) => attempt.status)).toEqual([200, 200]);
		expect(harness.answers.at(-1)).toEqual({ status: 200, body: { received: true, started: false, reason: 'this event was already accepted' } });
		expect(harness.started).toHaveLength(1);
		// Nothing is stored per delivery: a repeat costs no database write (only the subscriptions are in static data).
		expect(Object.keys(harness.staticData.production)).toEqual(['birdSubscriptions']);
		// Two deliveries of one new event at the same moment: both answered 200, one run.
		const body = event('twice at once');
		const headers = signed(body);
		const answers = await Promise.all([post(harness.webhookUrl(), body, headers), post(harness.webhookUrl(), body, headers)]);
		expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
		expect(harness.started.map((run) => run[0].text)).toEqual(['once', 'twice at once']);
		// The memory is this process's: after a restart (the module loaded anew) the event counts as new, as the README says.
		reloadPackage();
		await sandbox.webhooks.redeliver();
		expect(harness.started).toHaveLength(3);
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

	test('a status the trigger did not ask for (Bird still subscribed for it): acknowledged, nothing started, nothing written', async () => {
		await activate(['outbound'], { messageStatuses: ['delivered'] });
		const before = JSON.stringify(harness.staticData.production);
		const body = JSON.stringify({ service: 'channels', event: 'whatsapp.outbound', payload: { id: 'm-status-1', status: 'accepted', channelId: SANDBOX.channels.whatsapp } });
		const answer = await post(harness.webhookUrl(), body, signed(body));
		expect(answer).toEqual({ status: 200, body: { received: true, started: false, reason: 'a message status this trigger does not start on' } });
		expect(harness.started).toHaveLength(0);
		expect(JSON.stringify(harness.staticData.production)).toBe(before);
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

	test('conversation.created and a conversation.updated for the same first message start one run', async () => {
		await activate(['conversation.created', 'conversation.updated']);
		const at = new Date().toISOString();
		const conversation = {
			id: 'c0n0-1',
			status: 'active',
			channelId: SANDBOX.channels.whatsapp,
			featuredParticipants: [{ id: 'contact-1', type: 'contact', contact: { identifierKey: 'phonenumber', identifierValue: '+31600000011' } }],
			lastMessage: { id: 'm-1', type: 'text', preview: { text: 'Hello' }, sender: { id: 'contact-1', type: 'contact' }, createdAt: at },
			updatedAt: at,
		};
		for (const name of ['conversation.created', 'conversation.updated']) {
			const body = JSON.stringify({ service: 'conversations', event: name, payload: conversation });
			expect((await post(harness.webhookUrl(), body, signed(body))).status).toBe(200);
		}
		expect(harness.started).toHaveLength(1);
		// An assignment hours later carries the same last message: no run either.
		const later = JSON.stringify({ service: 'conversations', event: 'conversation.updated', payload: { ...conversation, updatedAt: new Date(Date.now() + 3 * 3_600_000).toISOString() } });
		expect((await post(harness.webhookUrl(), later, signed(later))).status).toBe(200);
		expect(harness.started).toHaveLength(1);
	});

	test('Only New Messages From Contacts turned off: every conversation event starts the workflow, our own reply too', async () => {
		await activate(['conversation.created', 'conversation.updated'], { contactMessagesOnly: false });
		const phone = '+31655500012';
		const inbound = await sandbox.inbound({ identifierValue: phone, text: 'Hi' });
		await fetch(`${sandbox.url}/workspaces/${SANDBOX.workspaceId}/conversations/${String(inbound.conversationId)}/messages`, {
			method: 'POST',
			headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json', connection: 'close' },
			body: JSON.stringify({ participantType: 'accessKey', participantId: SANDBOX.accessKeyId, body: { type: 'text', text: { text: 'Hello back' } } }),
		});
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(harness.started.map((run) => [run[0].event, run[0].text])).toEqual([
			['conversation.created', 'Hi'],
			['conversation.updated', 'Hello back'],
		]);
	});

	test('an event without the ID the repeat check uses is still started once per distinct delivery, never swallowed', async () => {
		await activate(['interaction']);
		const click = (emoji: string) => JSON.stringify({ service: 'channels', event: 'whatsapp.interaction', payload: { messageId: 'm-9', type: 'reaction', metadata: { reaction: { emoji } } } });
		for (const body of [click('👍'), click('❤️'), click('👍')]) {
			expect((await post(harness.webhookUrl(), body, signed(body))).status).toBe(200);
		}
		expect(harness.started.map((run) => run[0].text)).toEqual(['👍', '❤️']);
	});

	test('nothing the trigger outputs or stores carries the access key', async () => {
		expect(JSON.stringify(harness.started)).not.toContain(SANDBOX.accessKey);
		expect(JSON.stringify(harness.staticData)).not.toContain(SANDBOX.accessKey);
		expect(JSON.stringify(harness.answers)).not.toContain(ACCESS_KEY);
	});
});
