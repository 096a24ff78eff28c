/**
 * Bird Trigger's webhook subscriptions, run as n8n runs them (n8n-core's HookContext) against a
 * scripted Bird on 127.0.0.1: what is created for each event kind, checked, re-created and
 * deleted, and the refusals before any request.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RecordedRequest, ScriptedResponse } from '../helpers/bird-server';
import { useBirdServer } from '../helpers/bird-server';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, WORKSPACE_ID } from '../helpers/n8n';
import { ORGANIZATION_ID, useTriggerHarness } from '../helpers/trigger';

const SMS_CHANNEL = '6eb7ac15-e573-4f0e-8c76-39ecbf2f1593';
const SUBSCRIPTIONS = `/organizations/${ORGANIZATION_ID}/workspaces/${WORKSPACE_ID}/webhook-subscriptions`;

/** A Bird that knows two channels and keeps the subscriptions it is asked to make. */
function scriptedBird() {
	const live = new Map<string, IDataObject>();
	let next = 1;
	const respond = (request: RecordedRequest): ScriptedResponse => {
		const channel = /^\/workspaces\/[^/]+\/channels\/([^/]+)$/.exec(request.path)?.[1];
		if (request.method === 'GET' && channel) {
			const platformId = channel === CHANNEL_ID ? 'whatsapp' : channel === SMS_CHANNEL ? 'sms-messagebird' : undefined;
			return platformId ? { status: 200, body: { id: channel, platformId } } : { status: 404, body: { code: 'NotFound', message: 'Channel not found' } };
		}
		if (request.method === 'POST' && request.path === SUBSCRIPTIONS) {
			const id = `sub-${next++}`;
			live.set(id, { id, status: 'active', ...(request.body as IDataObject) });
			return { status: 201, body: live.get(id) };
		}
		const id = request.path.startsWith(`${SUBSCRIPTIONS}/`) ? request.path.slice(SUBSCRIPTIONS.length + 1) : undefined;
		if (id && request.method === 'GET') return live.has(id) ? { status: 200, body: live.get(id) } : { status: 404, body: { code: 'NotFound', message: 'gone' } };
		if (id && request.method === 'DELETE') return live.delete(id) ? { status: 204 } : { status: 404, body: { code: 'NotFound', message: 'gone' } };
		return { status: 404, body: { code: 'NotFound', message: `unexpected ${request.method} ${request.path}` } };
	};
	return { live, respond };
}

let bird = scriptedBird();
const server = useBirdServer();
beforeEach(() => {
	bird = scriptedBird();
	server.respond((request) => bird.respond(request));
});

const whatsapp = { __rl: true, mode: 'list', value: CHANNEL_ID };
const harness = useTriggerHarness({ channelId: whatsapp, events: ['inbound'] }, () => credentialsFor(server.url, { organizationId: ORGANIZATION_ID }));
beforeEach(() => {
	harness.parameters = { channelId: whatsapp, events: ['inbound'] };
	harness.staticData.production = {};
	harness.staticData.test = {};
});

const posts = () => server.requests.filter((request) => request.method === 'POST');
const deletes = () => server.requests.filter((request) => request.method === 'DELETE').map((request) => request.path);
const stored = (kind: 'production' | 'test' = 'production') => harness.staticData[kind].birdSubscriptions as IDataObject | undefined;

describe('Bird Trigger: subscriptions', () => {
	test('every event kind becomes its subscriptions, filtered on the channel, all signed with one new key', async () => {
		harness.parameters = {
			channelId: whatsapp,
			events: ['inbound', 'outbound', 'interaction', 'conversation.created', 'conversation.updated'],
			options: { messageStatuses: ['delivered', 'delivery_failed'], interactionTypes: ['clicked'] },
		};
		expect(await harness.hook('create')).toBe(true);

		expect(server.requests[0]).toMatchObject({ method: 'GET', path: `/workspaces/${WORKSPACE_ID}/channels/${CHANNEL_ID}` });
		expect(server.requests[0].headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
		const bodies = posts().map((request) => request.body as IDataObject);
		expect(posts().every((request) => request.path === SUBSCRIPTIONS)).toBe(true);
		const channel = { key: 'channelId', value: CHANNEL_ID };
		expect(bodies.map(({ service, event, eventFilters }) => ({ service, event, eventFilters }))).toEqual([
			{ service: 'channels', event: 'whatsapp.inbound', eventFilters: [channel] },
			{ service: 'channels', event: 'whatsapp.outbound', eventFilters: [channel, { key: 'messageStatus', value: 'delivered' }] },
			{ service: 'channels', event: 'whatsapp.outbound', eventFilters: [channel, { key: 'messageStatus', value: 'delivery_failed' }] },
			{ service: 'channels', event: 'whatsapp.interaction', eventFilters: [channel, { key: 'interactionType', value: 'clicked' }] },
			{ service: 'conversations', event: 'conversation.created', eventFilters: [channel] },
			{ service: 'conversations', event: 'conversation.updated', eventFilters: [channel] },
		]);
		const url = harness.webhookUrl();
		expect(new Set(bodies.map((body) => body.url))).toEqual(new Set([url]));
		const keys = new Set(bodies.map((body) => body.signingKey));
		expect(keys.size).toBe(1);
		const [signingKey] = [...keys] as string[];
		expect(Buffer.from(signingKey, 'base64').length).toBeGreaterThanOrEqual(32);

		expect(stored()).toEqual({
			url,
			signingKey,
			ids: ['sub-1', 'sub-2', 'sub-3', 'sub-4', 'sub-5', 'sub-6'],
			baseUrl: server.url,
			path: SUBSCRIPTIONS,
			fingerprint: expect.any(String),
		});
		expect(JSON.stringify(harness.staticData)).not.toContain(ACCESS_KEY);
	});

	test("the platform in the event name comes from the channel's platformId", async () => {
		harness.parameters = { channelId: { ...whatsapp, value: SMS_CHANNEL }, events: ['inbound', 'outbound'] };
		await harness.hook('create');
		expect(posts().map((request) => (request.body as IDataObject).event)).toEqual(['sms.inbound', 'sms.outbound']);
		expect((posts()[1].body as IDataObject).eventFilters).toEqual([{ key: 'channelId', value: SMS_CHANNEL }]);
	});

	test('checkExists: true while every subscription exists; a 404 means create again, which first removes the rest', async () => {
		await harness.hook('create');
		harness.parameters = { channelId: whatsapp, events: ['inbound', 'conversation.updated'] };
		expect(await harness.hook('checkExists')).toBe(false); // settings changed: no request needed to know
		await harness.hook('create');
		expect(deletes()).toEqual([`${SUBSCRIPTIONS}/sub-1`]);
		expect([...bird.live.keys()]).toEqual(['sub-2', 'sub-3']);

		server.reset();
		expect(await harness.hook('checkExists')).toBe(true);
		expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${SUBSCRIPTIONS}/sub-2`, `GET ${SUBSCRIPTIONS}/sub-3`]);

		bird.live.delete('sub-3'); // deleted in Bird's dashboard
		expect(await harness.hook('checkExists')).toBe(false);
		server.reset();
		await harness.hook('create');
		expect(deletes()).toEqual([`${SUBSCRIPTIONS}/sub-2`, `${SUBSCRIPTIONS}/sub-3`]);
		expect([...bird.live.keys()]).toEqual(['sub-4', 'sub-5']);
		expect(await harness.hook('checkExists')).toBe(true);
	});

	test('checkExists reports a failure other than 404 instead of guessing', async () => {
		await harness.hook('create');
		server.respond(() => ({ status: 403, body: { code: 'Forbidden', message: 'Access denied' } }));
		await expect(harness.hook('checkExists')).rejects.toThrow('Access denied');
	});

	test('delete removes every subscription; one Bird already forgot (404) counts as removed', async () => {
		harness.parameters = { channelId: whatsapp, events: ['inbound', 'outbound'] };
		await harness.hook('create');
		bird.live.delete('sub-1');
		server.reset();
		expect(await harness.hook('delete')).toBe(true);
		expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`DELETE ${SUBSCRIPTIONS}/sub-1`, `DELETE ${SUBSCRIPTIONS}/sub-2`]);
		expect(bird.live.size).toBe(0);
		expect(stored()).toBeUndefined();
	});

	test('delete reports any other failure and names the subscription; the next activation removes what is left', async () => {
		harness.parameters = { channelId: whatsapp, events: ['inbound', 'outbound'] };
		await harness.hook('create');
		server.respond((request) =>
			request.method === 'DELETE' && request.path.endsWith('/sub-2') ? { status: 403, body: { code: 'Forbidden', message: 'Access denied' } } : bird.respond(request),
		);
		const failure = harness.hook('delete');
		await expect(failure).rejects.toThrow("Could not remove 1 of Bird's webhook subscriptions");
		await failure.catch((error: { description?: string }) => expect(error.description).toContain('sub-2'));
		expect(stored()?.ids).toEqual(['sub-1', 'sub-2']); // n8n keeps the record when delete throws

		server.respond((request) => bird.respond(request));
		expect(await harness.hook('checkExists')).toBe(false);
		await harness.hook('create');
		expect(bird.live.has('sub-2')).toBe(false);
		expect([...bird.live.keys()]).toEqual(['sub-3', 'sub-4']);
	});

	test('a test listener (its own, empty static data, as n8n gives it) subscribes the test URL and leaves the active workflow’s alone', async () => {
		await harness.hook('create');
		server.reset();
		await harness.hook('create', { test: true });
		expect(deletes()).toEqual([]);
		expect((posts()[0].body as IDataObject).url).toBe(harness.webhookUrl(true));
		expect(stored('test')).toMatchObject({ url: harness.webhookUrl(true), ids: ['sub-2'] });
		server.reset();
		await harness.hook('delete', { test: true });
		expect(deletes()).toEqual([`${SUBSCRIPTIONS}/sub-2`]);
		expect(bird.live.has('sub-1')).toBe(true);
	});

	test('checkExists is false when Bird has the subscription with another URL or not active', async () => {
		await harness.hook('create');
		bird.live.set('sub-1', { ...bird.live.get('sub-1'), status: 'paused' });
		expect(await harness.hook('checkExists')).toBe(false);
		bird.live.set('sub-1', { ...bird.live.get('sub-1'), status: 'active', url: 'https://elsewhere.example.com/hook' });
		expect(await harness.hook('checkExists')).toBe(false);
	});

	test('a new webhook URL (WEBHOOK_URL changed): the old URL’s subscriptions are removed, the new URL subscribed', async () => {
		await harness.hook('create');
		harness.staticData.production.birdSubscriptions = { ...stored(), url: 'https://old-tunnel.example.com/webhook/x/webhook' };
		expect(await harness.hook('checkExists')).toBe(false);
		server.reset();
		await harness.hook('create');
		expect(deletes()).toEqual([`${SUBSCRIPTIONS}/sub-1`]);
		expect((posts()[0].body as IDataObject).url).toBe(harness.webhookUrl());
	});

	test('a credential switched to another workspace: the subscriptions are removed where they were made', async () => {
		const OTHER = `/organizations/${ORGANIZATION_ID}/workspaces/11111111-2222-4333-8444-555555555555/webhook-subscriptions`;
		harness.staticData.production.birdSubscriptions = { url: harness.webhookUrl(), signingKey: 'k', ids: ['old-1'], baseUrl: server.url, path: OTHER, fingerprint: 'x' };
		await harness.hook('create');
		expect(deletes()).toEqual([`${OTHER}/old-1`]);
		expect(stored()?.path).toBe(SUBSCRIPTIONS);
	});

	test('a create that fails half-way and cannot undo everything keeps what is left on record, and delete removes it', async () => {
		harness.parameters = { channelId: whatsapp, events: ['inbound', 'outbound', 'interaction'] };
		let posted = 0;
		let undoBlocked = true;
		server.respond((request) => {
			if (request.method === 'POST' && ++posted === 3) return { status: 409, body: { code: 'Conflict', message: 'too many subscriptions' } };
			if (request.method === 'DELETE' && request.path.endsWith('/sub-2') && undoBlocked) return { status: 403, body: { code: 'Forbidden', message: 'Access denied' } };
			return bird.respond(request);
		});
		await expect(harness.hook('create')).rejects.toThrow(/too many subscriptions \(and 1 subscription\(s\) made before it could not be removed yet: sub-2\)/);
		expect(stored()).toMatchObject({ ids: ['sub-2'], fingerprint: '' });
		expect([...bird.live.keys()]).toEqual(['sub-2']);
		undoBlocked = false;
		expect(await harness.hook('checkExists')).toBe(false);
		await harness.hook('delete');
		expect(bird.live.size).toBe(0);
		expect(stored()).toBeUndefined();
	});

	test('a channel Bird gives no platform for is refused with a sentence, not an unclear 422', async () => {
		server.respond((request) => (request.method === 'GET' ? { status: 200, body: { id: CHANNEL_ID } } : bird.respond(request)));
		await expect(harness.hook('create')).rejects.toThrow(`Bird did not say which platform channel ${CHANNEL_ID} is on`);
		expect(posts()).toHaveLength(0);
	});

	test('no Organization ID: activation fails before any request and says where Bird shows it', async () => {
		harness.credentials = credentialsFor(server.url);
		const failure = harness.hook('create');
		await expect(failure).rejects.toThrow('The Bird credential has no Organization ID');
		await failure.catch((error: { description?: string }) => expect(error.description).toMatch(/Settings › Organization/));
		expect(server.requests).toHaveLength(0);
	});

	test("with Bird's base URL, a webhook URL Bird cannot reach fails activation naming WEBHOOK_URL, before any request", async () => {
		harness.credentials = credentialsFor('https://api.bird.com', { organizationId: ORGANIZATION_ID });
		const failure = harness.hook('create');
		await expect(failure).rejects.toThrow('not a public https address');
		await failure.catch((error: { description?: string }) => {
			expect(error.description).toContain('WEBHOOK_URL');
			expect(error.description).toContain(harness.webhookUrl());
		});
		expect(server.requests).toHaveLength(0);
	});

	test("Bird's 422 on the URL becomes the same WEBHOOK_URL sentence; nothing half-made stays behind", async () => {
		harness.parameters = { channelId: whatsapp, events: ['inbound', 'outbound'] };
		let count = 0;
		server.respond((request) =>
			request.method === 'POST' && ++count === 2
				? { status: 422, body: { code: 'InvalidPayload', message: 'The request did not pass validation', details: { url: ['must match ^https://…'] } } }
				: bird.respond(request),
		);
		const failure = harness.hook('create');
		await expect(failure).rejects.toThrow('Bird refused the webhook URL of this n8n');
		await failure.catch((error: { description?: string }) => expect(error.description).toContain('WEBHOOK_URL'));
		expect(bird.live.size).toBe(0);
		expect(stored() ?? []).toEqual([]);
	});

	test('no event or a channel that is not an ID is refused before any request', async () => {
		harness.parameters = { channelId: whatsapp, events: [] };
		await expect(harness.hook('create')).rejects.toThrow('Events: pick at least one event');
		harness.parameters = { channelId: { ...whatsapp, value: 'support' }, events: ['inbound'] };
		await expect(harness.hook('create')).rejects.toThrow('Channel: "support" is not a channel ID');
		expect(server.requests).toHaveLength(0);
	});

	test.each([0, 1441, 'soon'])('Max Delivery Age %p is refused at activation with its range, before any request', async (maxAgeMinutes) => {
		harness.parameters = { channelId: whatsapp, events: ['inbound'], options: { maxAgeMinutes } };
		await expect(harness.hook('create')).rejects.toThrow(`Options › Max Delivery Age (Minutes): ${maxAgeMinutes} is not allowed`);
		expect(server.requests).toHaveLength(0);
	});
});
