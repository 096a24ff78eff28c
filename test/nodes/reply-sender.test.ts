/**
 * Reply's sender when it is this access key and the node gives no ID: the credential's Access
 * Key ID (joining the conversation if needed), else the conversation's one access-key participant
 * (read once per conversation per execution), else an error that says where the ID is found.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

async function reply(conversationIds: string[], more: IDataObject = {}, opts: { continueOnFail?: boolean; accessKeyId?: string } = {}) {
	return await runNode({
		type: 'birdReply',
		typeVersion: 1.1,
		parameters: { conversationId: '={{ $json.conversationId }}', messageType: 'text', text: '=Reply {{ $itemIndex }}', ...more },
		items: conversationIds.map((conversationId) => ({ conversationId })),
		credentials: sandboxCredentials(sandbox, opts.accessKeyId === undefined ? {} : { accessKeyId: opts.accessKeyId }),
		continueOnFail: opts.continueOnFail,
	});
}

/** A conversation created through the API: Bird puts the access key that created it among its participants. */
async function createdConversation(): Promise<string> {
	const created = await runNode({
		type: 'birdCreateConversation',
		parameters: { channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp }, identifierValue: SANDBOX.openContact.phone, messageType: 'text', text: 'Hello' },
		credentials: sandboxCredentials(sandbox),
	});
	expect(created.error).toBeUndefined();
	sandbox.clear();
	return String(created.outputs[0][0].json.id);
}

/** A conversation a customer started by writing in: no access key among its participants. */
async function customerConversation(phone: string): Promise<string> {
	const inbound = await sandbox.inbound({ identifierValue: phone, text: 'Hi!' });
	sandbox.log.length = 0;
	return String(inbound.conversationId);
}

const requests = () => sandbox.log.map(({ method, path }) => `${method} ${path.replace(/\/workspaces\/[^/]+/, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`);
const replies = () => sandbox.messages.filter((message) => message.source === 'conversations');
const SENT_AS_KEY = { id: SANDBOX.accessKeyId, type: 'accessKey', status: 'active' };

describe('Reply, Sender: this access key, no ID on the node', () => {
	test("the credential's Access Key ID: used without reading the conversation; Bird adds the key to a customer's conversation", async () => {
		const conversationId = await customerConversation('+31611110001');
		const result = await reply([conversationId, conversationId], {}, { accessKeyId: SANDBOX.accessKeyId });
		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['POST /conversations/:id/messages', 'POST /conversations/:id/messages']);
		expect(replies().map((message) => message.sender)).toEqual([SENT_AS_KEY, SENT_AS_KEY]);
		const participants = (sandbox.conversations.get(conversationId)?.featuredParticipants ?? []) as IDataObject[];
		expect(participants.map((participant) => participant.type)).toEqual(['accessKey', 'contact']);
	});

	test("no ID in the credential: the conversation's one access-key participant, read once for three replies", async () => {
		const conversationId = await createdConversation();
		const result = await reply([conversationId, conversationId, conversationId]);
		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['GET /conversations/:id', ...Array(3).fill('POST /conversations/:id/messages')]);
		expect(replies().map((message) => message.sender)).toEqual(Array(3).fill(SENT_AS_KEY));
	});

	test("no ID anywhere and a customer's conversation: refused before sending, saying where the ID is", async () => {
		const conversationId = await customerConversation('+31611110002');
		const result = await reply([conversationId]);
		expect(result.error?.message).toBe(`Conversation ${conversationId} has no access key among its participants to send as (item 0)`);
		expect(result.error?.description).toContain('Access Key ID');
		expect(result.error?.description).toContain('Settings › Developer › Access keys');
		expect(requests()).toEqual(['GET /conversations/:id']);
	});

	test('two access keys in the conversation: the node cannot tell which is its own, and names both', async () => {
		const conversationId = await createdConversation();
		const conversation = sandbox.conversations.get(conversationId)!;
		(conversation.featuredParticipants as IDataObject[]).push({ id: 'b2c3d4e5-0000-4000-8000-00000000acce', type: 'accessKey', status: 'active', displayName: 'Zapier key' });
		const result = await reply([conversationId], {}, { continueOnFail: true });
		const [item] = result.outputs[0];
		expect(item.json.error).toMatch(/has 2 access keys among its participants; which one is this credential's is not known \(item 0\)$/);
		expect((item.json.errorDetails as IDataObject).description).toMatch(/Sandbox access key \(a1b2c3d4-0000-4000-8000-00000000acce\), Zapier key \(b2c3d4e5-/);
		expect(replies()).toEqual([]);
	});

	test('an ID on the node: used as it is, nothing read', async () => {
		const conversationId = await createdConversation();
		await reply([conversationId], { participantId: SANDBOX.accessKeyId });
		expect(requests()).toEqual(['POST /conversations/:id/messages']);
	});

	test('a credential Access Key ID that is not a UUID is refused before sending', async () => {
		const result = await reply([await createdConversation()], {}, { accessKeyId: 'sandbox-access-key' });
		expect(result.error?.message).toBe('The Access Key ID of the Bird credential must be a UUID, not "sandbox-access-key" (item 0)');
		expect(sandbox.log).toEqual([]);
	});

	test('Sender Type Contact or Flow still needs its ID', async () => {
		// An expression, as n8n itself refuses to run a node whose required field is plainly empty.
		for (const participantType of ['contact', 'flow']) {
			const result = await reply([await createdConversation()], { participantType, participantId: '={{ "" }}' });
			expect(result.error?.message).toBe('Sender ID: is required but empty (item 0)');
			expect(sandbox.log).toEqual([]);
		}
	});

	test('a workflow saved with Sender Type User (which Bird refuses) fails before sending, saying what to choose', async () => {
		const result = await reply([await createdConversation()], { participantType: 'user', participantId: 'e0b759f7-c366-4223-87a5-d1186ba4644f' });
		expect(result.error?.message).toBe('Sender Type: "User" is not a sender Bird accepts for conversation messages: choose Access Key (this integration, the usual choice), Contact or Flow (item 0)');
		expect(sandbox.log).toEqual([]);
	});
});
