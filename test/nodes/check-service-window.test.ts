import type { IDataObject } from 'n8n-workflow';

import type { RecordedRequest, ScriptedResponse } from '../helpers/bird-server';
import { useBirdServer } from '../helpers/bird-server';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, runNode, WORKSPACE_ID } from '../helpers/n8n';

const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** The contacts the fake workspace knows, by phone number, with their channel information. */
const contacts: Record<string, { id: string; info: IDataObject }> = {
	'+31600000001': { id: 'c0000001-0000-4000-8000-000000000001', info: { serviceWindowExpireAt: iso(5 * HOUR), isPermanentSession: false } },
	'+31600000002': { id: 'c0000002-0000-4000-8000-000000000002', info: { serviceWindowExpireAt: iso(-HOUR), isPermanentSession: false } },
	'+31600000003': { id: 'c0000003-0000-4000-8000-000000000003', info: { serviceWindowExpireAt: null, isPermanentSession: null } },
	'+31600000004': { id: 'c0000004-0000-4000-8000-000000000004', info: { serviceWindowExpireAt: null, isPermanentSession: true } },
	'+31600000005': { id: 'c0000005-0000-4000-8000-000000000005', info: { serviceWindowExpireAt: iso(10 * 60_000), isPermanentSession: false } },
};

function bird(request: RecordedRequest): ScriptedResponse {
	if (request.method === 'POST' && request.path === `/workspaces/${WORKSPACE_ID}/contacts/search`) {
		const { identifier } = request.body as { identifier: { key: string; value: string } };
		const contact = identifier.key === 'phonenumber' ? contacts[identifier.value] : undefined;
		return { status: 200, body: { results: contact ? [{ id: contact.id, computedDisplayName: 'Someone' }] : [] } };
	}
	const match = /^\/workspaces\/[^/]+\/channels\/([^/]+)\/contacts\/([^/]+)$/.exec(request.path);
	if (request.method === 'GET' && match && match[1] === CHANNEL_ID) {
		const contact = Object.values(contacts).find((candidate) => candidate.id === match[2]);
		if (contact) return { status: 200, body: { ...contact.info, metadata: null } };
	}
	return { status: 404, body: { code: 'NotFound', message: 'not found' } };
}

const server = useBirdServer(bird);

const channel = { __rl: true, mode: 'id', value: CHANNEL_ID };

async function check(parameters: IDataObject, items: IDataObject[], continueOnFail = false) {
	return await runNode({
		type: 'birdCheckServiceWindow',
		parameters: { channelId: channel, identifierValue: '={{ $json.phone }}', ...parameters },
		items,
		credentials: credentialsFor(server.url),
		continueOnFail,
	});
}

describe('Check Service Window', () => {
	test('a mixed batch: open and permanent go to Open, expired, none and unknown to Closed; input JSON is kept', async () => {
		const phones = ['+31600000001', '+31600000002', '+31600000003', '+31600000004', '+31699999999'];
		const result = await check({}, phones.map((phone, n) => ({ phone, n })));
		expect(result.error).toBeUndefined();
		const [open, closed] = result.outputs;
		expect(open.map((item) => item.json.n)).toEqual([0, 3]);
		expect(closed.map((item) => item.json.n)).toEqual([1, 2, 4]);
		expect(open.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
		expect(closed.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }, { item: 4 }]);

		const window = (item: { json: IDataObject }) => item.json.serviceWindow as IDataObject;
		expect(window(open[0])).toMatchObject({
			isOpen: true,
			isPermanentSession: false,
			contactId: contacts['+31600000001'].id,
			expiresAt: contacts['+31600000001'].info.serviceWindowExpireAt,
			recommendedMessageType: 'free-form',
			reason: 'open',
		});
		expect(window(open[0]).remainingSeconds).toBeGreaterThan(5 * 3600 - 60);
		expect(window(open[0]).remainingSeconds).toBeLessThanOrEqual(5 * 3600);
		expect(window(open[1])).toMatchObject({ isOpen: true, isPermanentSession: true, remainingSeconds: null, reason: 'permanentSession' });
		expect(window(closed[0])).toMatchObject({ isOpen: false, remainingSeconds: 0, recommendedMessageType: 'template', reason: 'expired' });
		expect(window(closed[1])).toMatchObject({ isOpen: false, expiresAt: null, recommendedMessageType: 'template', reason: 'noWindow' });
		expect(window(closed[2])).toMatchObject({ isOpen: false, contactId: null, recommendedMessageType: 'template', reason: 'unknownContact' });
		expect(closed[0].json.phone).toBe('+31600000002');
	});

	test('resolves the phone number through contact search, then asks for the channel contact with contactIdentifierValue', async () => {
		await check({}, [{ phone: '+31600000001' }]);
		expect(server.requests).toHaveLength(2);
		const [search, window] = server.requests;
		expect(search.method).toBe('POST');
		expect(search.path).toBe(`/workspaces/${WORKSPACE_ID}/contacts/search`);
		expect(search.body).toEqual({ identifier: { key: 'phonenumber', value: '+31600000001' } });
		expect(window.method).toBe('GET');
		expect(window.path).toBe(`/workspaces/${WORKSPACE_ID}/channels/${CHANNEL_ID}/contacts/${contacts['+31600000001'].id}`);
		expect(window.query).toEqual({ contactIdentifierValue: '+31600000001' });
		expect(window.headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
	});

	test('an unknown contact is a closed window, not an error, and no window request is made', async () => {
		const result = await check({}, [{ phone: '+31699999999' }]);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(0);
		expect(result.outputs[1]).toHaveLength(1);
		expect(server.requests.map((r) => r.path)).toEqual([`/workspaces/${WORKSPACE_ID}/contacts/search`]);
	});

	test('a window that closes sooner than the minimum remaining time counts as closed', async () => {
		const phones = [{ phone: '+31600000005' }, { phone: '+31600000001' }];
		const result = await check({ options: { minimumRemainingMinutes: 15 } }, phones);
		expect(result.outputs[0].map((item) => item.json.phone)).toEqual(['+31600000001']);
		expect(result.outputs[1].map((item) => item.json.phone)).toEqual(['+31600000005']);
		expect((result.outputs[1][0].json.serviceWindow as IDataObject).reason).toBe('closesTooSoon');
		const loose = await check({ options: { minimumRemainingMinutes: 5 } }, [{ phone: '+31600000005' }]);
		expect(loose.outputs[0]).toHaveLength(1);
	});

	test('by contact ID: no search, straight to the channel contact', async () => {
		const result = await check(
			{ contactBy: 'id', contactId: contacts['+31600000004'].id, contactIdentifierValue: '+31600000004' },
			[{}],
		);
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].query).toEqual({ contactIdentifierValue: '+31600000004' });
		expect((result.outputs[0][0].json.serviceWindow as IDataObject).isPermanentSession).toBe(true);
	});

	test('a 404 for a contact ID names the channel and contact', async () => {
		const missing = 'deadbeef-0000-4000-8000-000000000000';
		const result = await check({ contactBy: 'id', contactId: missing }, [{}]);
		expect(result.error?.message).toBe(`Bird knows no channel ${CHANNEL_ID} with contact ${missing} (item 0)`);
		expect(result.error?.description).toMatch(/Check the Channel and the contact/);
	});

	test('with continueOnFail the error item goes to the first output, the others are sorted as usual', async () => {
		const result = await check({ contactBy: 'id', contactId: '={{ $json.contactId }}' }, [
			{ contactId: contacts['+31600000002'].id },
			{ contactId: 'deadbeef-0000-4000-8000-000000000000' },
			{ contactId: 'not-a-uuid' },
		], true);
		const [open, closed] = result.outputs;
		expect(closed.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(open.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(open[0].json.error).toMatch(/Bird knows no channel/);
		expect(open[1].json.error).toMatch(/^Contact ID: "not-a-uuid" is not a UUID \(item 2\)$/);
	});
});
