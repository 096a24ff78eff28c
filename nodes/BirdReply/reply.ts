import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../shared/descriptions/node';
import { readIdentifierList } from '../shared/descriptions/recipients';
import type { ExecutionLookups } from '../shared/lookups';
import { hasMedia, uploadMedia } from '../shared/media';
import type { SmartSend, SmartSendOutcome, WindowContact } from '../shared/message';
import { applySmartSend, buildMessageContent, readSmartSend } from '../shared/message';
import type { ItemRequest } from '../shared/send';
import type { DeliverySettings } from '../shared/transport/request';
import { birdCredentials } from '../shared/transport/request';
import type { ItemInput } from '../shared/validation';
import { PATTERNS, valuesOf } from '../shared/validation';
import type { QuestionSender } from '../shared/waiting/send';
import { ACCESS_KEY_ID_HELP, accessKeyParticipant, SENDER_TYPES } from './sender';

/** One item's reply: the conversation, the request body, and smart send. */
export interface Reply {
	conversationId: string;
	body: IDataObject;
	smart?: SmartSend;
}

/** Reads and checks one item: who the reply goes to and from, its options, its content and smart send. Sends nothing. */
export async function prepareReply(input: ItemInput): Promise<Reply> {
	const reply = replyTarget(input);
	const { body } = reply;
	const recipients = (body.recipients ?? []) as Array<{ identifierValue: string }>;
	Object.assign(body, await buildMessageContent(input));
	const smart = await readSmartSend(input);
	if (smart && recipients.length > 1) {
		input.fail(
			{ label: 'Recipients', path: 'identifierValue' },
			`has ${recipients.length} recipients, but If Service Window Is Closed checks one contact's window per message. Leave Recipients empty (the conversation's contact) or give one`,
			recipients[0].identifierValue,
		);
	}
	return smart ? { ...reply, smart } : reply;
}

/** The conversation, the sender, the recipients and the options of one item's reply: everything but its content. */
export function replyTarget(input: ItemInput): Reply {
	const conversationId = input.uuid(input.raw('conversationId'), { label: 'Conversation ID', path: 'conversationId' }, { required: true }) as string;
	const participantType = input.choice('participantType', 'Sender Type', valuesOf(SENDER_TYPES)) ?? 'accessKey';
	if (participantType === 'user') {
		// Offered up to 0.1.0; Bird's conversation messages take accessKey, flow or contact.
		input.fail(
			{ label: 'Sender Type', path: 'participantType' },
			'"User" is not a sender Bird accepts for conversation messages: choose Access Key (this integration, the usual choice), Contact or Flow',
			'Access Key',
		);
	}
	const body: IDataObject = { participantType };
	// An access key's ID may be left out: the node finds it in the conversation.
	const participantId = input.uuid(
		input.raw('participantId'),
		{ label: participantType === 'accessKey' ? 'Access Key ID' : 'Sender ID', path: 'participantId' },
		{ required: participantType !== 'accessKey' },
	);
	if (participantId) body.participantId = participantId;
	const recipients = readIdentifierList(input, 'identifierValue', 'Recipients', { required: false });
	if (recipients.length) body.recipients = recipients.map((recipient) => ({ type: 'to', ...recipient }));
	const reference = input.param('options.reference', 'Options › Reference', { maxLength: 256 });
	if (reference) body.reference = reference;
	const addMissing = input.boolean('options.addMissingParticipants', 'Options › Add Missing Participants');
	if (addMissing !== undefined) body.addMissingParticipants = addMissing;
	const draft = input.boolean('options.draft', 'Options › Draft', 'false');
	if (draft !== undefined) body.draft = draft;
	return { conversationId, body };
}

/** The contact whose window smart send checks: the one recipient, or the conversation's one contact. */
function windowContact(node: INode, reply: Reply, conversation: IDataObject, itemIndex: number): WindowContact {
	const [recipient] = (reply.body.recipients ?? []) as Array<{ identifierKey: string; identifierValue: string }>;
	if (recipient) return { identifier: recipient, identifierValue: recipient.identifierValue };
	const contacts = ((conversation.featuredParticipants ?? []) as IDataObject[]).filter((participant) => participant.type === 'contact');
	if (contacts.length !== 1) {
		throw new NodeOperationError(
			node,
			`Conversation ${reply.conversationId} has ${contacts.length} contacts, but If Service Window Is Closed checks one contact's window (item ${itemIndex})`,
			{ itemIndex, description: 'Put the one contact to write to in Recipients.' },
		);
	}
	// A contact participant's ID is the contact's ID.
	const identifierValue = ((contacts[0].contact ?? {}) as IDataObject).identifierValue;
	return { contactId: String(contacts[0].id), identifierValue: typeof identifierValue === 'string' ? identifierValue : undefined };
}

/**
 * Just before the reply goes out: the sender (when it is this access key and the node gives no
 * ID; see sender.ts), smart send's window check, then uploads into the conversation.
 */
export async function finishReply(
	context: IExecuteFunctions,
	lookups: ExecutionLookups,
	reply: Reply,
	itemIndex: number,
	settings: DeliverySettings,
	halted: () => boolean,
): Promise<SmartSendOutcome | undefined> {
	const { body } = reply;
	let conversation: IDataObject | undefined;
	if (body.participantType === 'accessKey' && !body.participantId) {
		const keyId = String((await birdCredentials(context)).accessKeyId ?? '').trim();
		if (keyId) {
			if (!PATTERNS.uuid.test(keyId)) {
				throw new NodeOperationError(context.getNode(), `The Access Key ID of the Bird credential must be a UUID, not "${keyId}" (item ${itemIndex})`, {
					itemIndex,
					description: ACCESS_KEY_ID_HELP,
				});
			}
			body.participantId = keyId;
			// Bird adds the sender to the conversation if it is not in it yet, unless the node said not to.
			if (body.addMissingParticipants === undefined) body.addMissingParticipants = true;
		} else {
			conversation = await lookups.conversation(reply.conversationId, itemIndex, halted);
			body.participantId = accessKeyParticipant(context.getNode(), conversation, itemIndex);
		}
	}
	if (reply.smart && !conversation) conversation = await lookups.conversation(reply.conversationId, itemIndex, halted);
	let outcome: SmartSendOutcome | undefined;
	if (reply.smart && conversation) {
		outcome = await applySmartSend(
			context,
			reply.smart,
			{
				channel: await lookups.channel(String(conversation.channelId), itemIndex, halted),
				contact: windowContact(context.getNode(), reply, conversation, itemIndex),
				message: body,
			},
			itemIndex,
			settings,
			halted,
		);
	}
	if (hasMedia(body)) await uploadMedia(context, body, { conversationId: reply.conversationId }, settings, halted);
	return outcome;
}

/** `POST /workspaces/{ws}/conversations/{conversationId}/messages`. */
export function replyRequest({ conversationId, body }: Reply): ItemRequest {
	return { method: 'POST', url: `${WORKSPACE_PATH}/conversations/${encodeURIComponent(conversationId)}/messages`, body };
}

/**
 * Send and Wait's question in a conversation: the sender as for any reply (sender.ts), to the
 * conversation's contact or one recipient; its platform is its channel's.
 */
export function replyQuestion(context: IExecuteFunctions, lookups: ExecutionLookups, settings: DeliverySettings): QuestionSender<Reply> {
	return {
		prepare: (input) => {
			const reply = replyTarget(input);
			const recipients = (reply.body.recipients ?? []) as Array<{ identifierValue: string }>;
			if (recipients.length > 1) {
				input.fail({ label: 'Recipients', path: 'identifierValue' }, `has ${recipients.length} recipients; a question waits for one contact's answer`, recipients[0].identifierValue);
			}
			return reply;
		},
		platform: async (reply, itemIndex, halted) => {
			const conversation = await lookups.conversation(reply.conversationId, itemIndex, halted);
			return String((await lookups.channel(String(conversation.channelId), itemIndex, halted)).platformId ?? '');
		},
		request: async (reply, content, itemIndex, halted) => {
			const question: Reply = { conversationId: reply.conversationId, body: { ...reply.body, body: content.body, reference: content.reference } };
			await finishReply(context, lookups, question, itemIndex, settings, halted);
			return replyRequest(question);
		},
	};
}
