/**
 * Bird Channels › Conversation, against the Bird sandbox (conversations start when a contact
 * writes in, as on a channel with Conversations enabled) and a scripted server.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { useBirdServer } from '../helpers/bird-server';
import type { OnError } from '../helpers/n8n';
import { credentialsFor, runNode, searchList, WORKSPACE_ID } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();
const scripted = useBirdServer();

const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const UNKNOWN = 'deadbeef-0000-4000-8000-000000000000';
const AGENT = 'a9e17000-0000-4000-8000-000000000001';

async function conversation(operation: string, parameters: IDataObject, items?: IDataObject[], onError?: OnError) {
	return await runNode({ type: 'bird', parameters: { resource: 'conversation', operation, ...parameters }, items, credentials: sandboxCredentials(sandbox), onError });
}

const json = (result: { outputs: Array<Array<{ json: IDataObject }>> }) => result.outputs[0].map((item) => item.json);

/** A contact writes in: a new conversation with them on WhatsApp. */
async function started(phone: string): Promise<string> {
	const message = await sandbox.inbound({ identifierValue: phone, text: 'Hello' });
	return String(message.conversationId);
}

describe('Get', () => {
	test("a conversation: status, channel, participants, last message; an unknown one is Bird's 404", async () => {
		const id = await started('+31640000001');
		const result = await conversation('get', { conversationId: byId(id) });
		expect(json(result)[0]).toMatchObject({ id, status: 'active', channelId: SANDBOX.channels.whatsapp, lastMessage: { preview: { text: 'Hello' } } });
		expect(json(result)[0].messages).toBeUndefined();

		const items = [{ id }, { id: UNKNOWN }];
		const continued = await conversation('get', { conversationId: byId('={{ $json.id }}') }, items, 'continueRegularOutput');
		expect(json(continued).map((item) => item.error ?? item.status)).toEqual(['active', 'Conversation not found']);
		expect(json(continued)[1].errorDetails).toMatchObject({ httpCode: '404', code: 'NotFound' });
		const stopped = await conversation('get', { conversationId: byId('={{ $json.id }}') }, items);
		expect(stopped.error?.message).toBe('Conversation not found');
		expect(stopped.error?.description).toContain('Item 1 of 2 failed');
	});
});

describe('Update', () => {
	test('close and rename: the conversation takes no more replies; reopen it', async () => {
		const id = await started('+31640000011');
		const closed = await conversation('update', { conversationId: byId(id), updateFields: { status: 'closed', name: 'Order 1234', attributes: { attribute: [{ key: 'ticketId', value: '={{ 123 }}' }] } } });
		expect(closed.error).toBeUndefined();
		expect(json(closed)[0]).toMatchObject({ id, status: 'closed', name: 'Order 1234', attributes: { ticketId: '123' } });
		expect(sandbox.conversations.get(id)?.status).toBe('closed');

		const reply = await runNode({
			type: 'birdReply',
			typeVersion: 1.1,
			parameters: { conversationId: id, participantId: SANDBOX.accessKeyId, messageType: 'text', text: 'Anything else?' },
			credentials: sandboxCredentials(sandbox),
		});
		expect(reply.error?.message).toBe('The conversation is closed');

		const reopened = await conversation('update', { conversationId: byId(id), updateFields: { status: 'active' } });
		expect(json(reopened)[0].status).toBe('active');
	});

	test("an unknown conversation is Bird's 404; Bird's 422 names its field", async () => {
		const missing = await conversation('update', { conversationId: byId(UNKNOWN), updateFields: { name: 'x' } });
		expect(missing.error?.message).toBe('Conversation not found');

		scripted.respond(() => ({ status: 422, body: { code: 'InvalidPayload', message: 'The request did not pass validation', details: { name: ['is too long for this channel'] } } }));
		const refused = await runNode({
			type: 'bird',
			parameters: { resource: 'conversation', operation: 'update', conversationId: byId(UNKNOWN), updateFields: { name: 'Order 1234' } },
			credentials: credentialsFor(scripted.url),
		});
		expect(refused.error?.message).toBe('The request did not pass validation: name (Conversation Name): is too long for this channel');
		expect(scripted.requests).toHaveLength(1);
		expect(scripted.requests[0]).toMatchObject({ method: 'PATCH', path: `/workspaces/${WORKSPACE_ID}/conversations/${UNKNOWN}`, body: { name: 'Order 1234' } });
	});
});

describe('Get Many', () => {
	test('Return All and Limit, newest first; filters: status, channel, and a contact (their conversations)', async () => {
		const ids = [];
		for (const phone of ['+31640000021', '+31640000022', '+31640000023']) ids.push(await started(phone));
		await conversation('update', { conversationId: byId(ids[0]), updateFields: { status: 'closed' } });
		const all = await conversation('getAll', { returnAll: true });
		expect(json(all).slice(0, 3).map((item) => item.id)).toEqual([...ids].reverse());
		expect((await conversation('getAll', { limit: 2 })).outputs[0]).toHaveLength(2);

		const closed = await conversation('getAll', { returnAll: true, filters: { status: 'closed' } });
		expect(json(closed).map((item) => item.id)).toContain(ids[0]);
		expect(json(closed).every((item) => item.status === 'closed')).toBe(true);
		const onSms = await conversation('getAll', { returnAll: true, filters: { channelId: SANDBOX.channels.sms } });
		expect(onSms.outputs[0]).toHaveLength(0);

		sandbox.clear();
		const hers = await conversation('getAll', { returnAll: true, filters: { contact: '+31 6 4000 0022' } });
		expect(json(hers).map((item) => item.id)).toEqual([ids[1]]);
		const contactId = sandbox.findContact('phonenumber', '+31640000022')?.id;
		expect(sandbox.log.map((entry) => `${entry.method} ${entry.path.replace(`/workspaces/${SANDBOX.workspaceId}`, '')}`)).toEqual([
			'POST /contacts/search',
			`GET /participants/${contactId}/conversations`,
		]);
		const nobody = await conversation('getAll', { returnAll: true, filters: { contact: '+31699999999' } });
		expect(nobody.outputs[0]).toHaveLength(0);
	});

	test('pages of 10: Return All follows nextPageToken (100 asked a page)', async () => {
		const conversations = Array.from({ length: 12 }, (_, n) => ({ id: `v${n}`, status: 'active' }));
		scripted.respond((request) => {
			const start = request.query.pageToken ? 10 : 0;
			return { status: 200, body: { results: conversations.slice(start, start + 10), ...(start ? {} : { nextPageToken: 't2' }) } };
		});
		const result = await runNode({ type: 'bird', parameters: { resource: 'conversation', operation: 'getAll', returnAll: true, filters: { status: 'active' } }, credentials: credentialsFor(scripted.url) });
		expect(result.outputs[0]).toHaveLength(12);
		expect(scripted.requests.map((request) => request.query)).toEqual([
			{ limit: '100', status: 'active' },
			{ limit: '100', status: 'active', pageToken: 't2' },
		]);
	});
});

describe('Participants', () => {
	test('Add Participant: a contact by identifier (201, added), again (200, not added), a user by ID; Get Participants lists them', async () => {
		const id = await started('+31640000031');
		const first = await conversation('addParticipant', { conversationId: byId(id), contactId: { __rl: true, mode: 'identifier', value: 'jane.support@example.com' } });
		expect(json(first)[0]).toMatchObject({ type: 'contact', added: true, contact: { identifierKey: 'emailaddress', identifierValue: 'jane.support@example.com' } });
		const again = await conversation('addParticipant', { conversationId: byId(id), contactId: { __rl: true, mode: 'identifier', value: 'jane.support@example.com' } });
		expect(json(again)[0]).toMatchObject({ id: json(first)[0].id, added: false });
		const agent = await conversation('addParticipant', { conversationId: byId(id), participantType: 'user', participantId: AGENT });
		expect(json(agent)[0]).toMatchObject({ id: AGENT, type: 'user', added: true });
		expect(sandbox.log.filter((entry) => entry.method === 'POST').map((entry) => entry.status)).toEqual([201, 200, 201]);

		const participants = await conversation('getParticipants', { conversationId: byId(id), returnAll: true });
		expect(json(participants).map((item) => item.type)).toEqual(['contact', 'contact', 'user']);
		const one = await conversation('getParticipants', { conversationId: byId(id), limit: 1 });
		expect(one.outputs[0]).toHaveLength(1);
	});

	test("a contact by ID Bird does not know, an unknown conversation: Bird's 404", async () => {
		const id = await started('+31640000041');
		const items = [
			{ conversation: id, contact: UNKNOWN },
			{ conversation: UNKNOWN, contact: SANDBOX.openContact.id },
			{ conversation: id, contact: SANDBOX.openContact.id },
		];
		const result = await conversation('addParticipant', { conversationId: byId('={{ $json.conversation }}'), contactId: byId('={{ $json.contact }}') }, items, 'continueRegularOutput');
		expect(json(result).map((item) => item.error ?? item.added)).toEqual(['Contact not found', 'Conversation not found', true]);
		const missing = await conversation('getParticipants', { conversationId: byId(UNKNOWN), returnAll: true });
		expect(missing.error?.message).toBe('Conversation not found');
	});
});

describe('the Conversation picker', () => {
	test("lists conversations with their contacts' names; the filter matches them", async () => {
		const id = await started('+31640000051');
		const page = await searchList({ type: 'bird', method: 'searchConversations', credentials: sandboxCredentials(sandbox), filter: '+31640000051' });
		expect(page.results).toEqual([{ name: 'Unnamed conversation · +31640000051 · active', value: id }]);
	});
});
