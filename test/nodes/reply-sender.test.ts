/**
 * Reply's sender when it is this access key and no ID is given: found among the conversation's
 * participants (once per conversation per execution), or joined with addMissingParticipants, or
 * refused with a sentence that says where the ID is.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

async function reply(conversationIds: string[], more: IDataObject = {}, continueOnFail = false) {
	return await runNode({
		type: 'birdReply',
		typeVersion: 1.1,
		parameters: { conversationId: '={{ $json.conversationId }}', messageType: 'text', text: '=Reply {{ $itemIndex }}', ...more },
		items: conversationIds.map((conversationId) => ({ conversationId })),
		credentials: sandboxCredentials(sandbox),
		continueOnFail,
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

const requests = () => sandbox.log.map(({ method, path }) => `${method} ${path.replace(/\/workspaces\/[^/]+/, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`);
const replies = () => sandbox.messages.filter((message) => message.source === 'conversations');

describe('Reply, Sender: this access key', () => {
	test("found in the conversation's participants: read once for three replies, sent with its ID", async () => {
		const conversationId = await createdConversation();
		const result = await reply([conversationId, conversationId, conversationId]);
		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['GET /conversations/:id', ...Array(3).fill('POST /conversations/:id/messages')]);
		expect(replies().map((message) => [message.sender, message.addMissingParticipants])).toEqual(
			Array(3).fill([{ id: SANDBOX.accessKeyId, type: 'accessKey', status: 'active' }, undefined]),
		);
	});

	test('a conversation without it (a customer started it): Bird is asked to add this access key', async () => {
		const inbound = await sandbox.inbound({ identifierValue: '+31611110001', text: 'Hi!' });
		sandbox.log.length = 0;
		const result = await reply([String(inbound.conversationId)]);
		expect(result.error).toBeUndefined();
		expect(requests()).toEqual(['GET /conversations/:id', 'POST /conversations/:id/messages']);
		const participants = (sandbox.conversations.get(String(inbound.conversationId))?.featuredParticipants ?? []) as IDataObject[];
		expect(participants.map((participant) => participant.type)).toEqual(['accessKey', 'contact']);
		expect(replies()[0].sender).toEqual({ id: SANDBOX.accessKeyId, type: 'accessKey', status: 'active' });
	});

	test('none, and Add Missing Participants turned off: refused before sending, saying where the ID is', async () => {
		const inbound = await sandbox.inbound({ identifierValue: '+31611110002', text: 'Hi!' });
		sandbox.log.length = 0;
		const result = await reply([String(inbound.conversationId)], { options: { addMissingParticipants: false } });
		expect(result.error?.message).toBe(`Conversation ${String(inbound.conversationId)} has no access-key participant to send as, and Add Missing Participants is off (item 0)`);
		expect(result.error?.description).toContain('Settings › Access keys');
		expect(requests()).toEqual(['GET /conversations/:id']);
	});

	test('two access keys in the conversation: the node cannot tell which is its own, and names both', async () => {
		const conversationId = await createdConversation();
		const conversation = sandbox.conversations.get(conversationId)!;
		(conversation.featuredParticipants as IDataObject[]).push({ id: 'b2c3d4e5-0000-4000-8000-00000000acce', type: 'accessKey', status: 'active', displayName: 'Zapier key' });
		const result = await reply([conversationId], {}, true);
		const [item] = result.outputs[0];
		expect(item.json.error).toMatch(/has 2 access-key participants; which one is this credential's is not known \(item 0\)$/);
		expect((item.json.errorDetails as IDataObject).description).toMatch(/Sandbox access key \(a1b2c3d4-0000-4000-8000-00000000acce\), Zapier key \(b2c3d4e5-/);
		expect(replies()).toEqual([]);
	});

	test('an ID given: used as it is, the conversation not read', async () => {
		const conversationId = await createdConversation();
		await reply([conversationId], { participantId: SANDBOX.accessKeyId });
		expect(requests()).toEqual(['POST /conversations/:id/messages']);
	});

	test('Sender Type User still needs its ID', async () => {
		// An expression, as n8n itself refuses to run a node whose required field is plainly empty.
		const result = await reply([await createdConversation()], { participantType: 'user', participantId: '={{ "" }}' });
		expect(result.error?.message).toBe('Sender ID: is required but empty (item 0)');
		expect(sandbox.log).toEqual([]);
	});
});
