import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../shared/descriptions/node';
import { readIdentifierList } from '../shared/descriptions/recipients';
import type { ExecutionLookups } from '../shared/lookups';
import { hasMedia, uploadMedia } from '../shared/media';
import type { SmartSend, SmartSendOutcome, WindowContact } from '../shared/message';
import { applySmartSend, buildMessageContent, readSmartSend } from '../shared/message';
import type { ItemRequest } from '../shared/send';
import type { DeliverySettings } from '../shared/transport/request';
import type { ItemInput } from '../shared/validation';
import { EXAMPLES } from '../shared/validation';
import { ACCESS_KEY_ID_HELP, resolveSender } from './sender';

/** One item's reply: the conversation, the request body, and smart send. */
export interface Reply {
	conversationId: string;
	body: IDataObject;
	smart?: SmartSend;
}

/** Reads and checks one item; sends nothing. */
export async function prepareReply(input: ItemInput): Promise<Reply> {
	const conversationId = input.uuid(input.raw('conversationId'), { label: 'Conversation ID', path: 'conversationId' }, { required: true }) as string;
	const participantType = input.param('participantType', 'Sender Type') ?? 'accessKey';
	const body: IDataObject = { participantType };
	// An access key's ID may be left out: the node finds it in the conversation.
	const participantId = input
		.param('participantId', participantType === 'accessKey' ? 'Access Key ID' : 'Sender ID', { required: participantType !== 'accessKey', example: EXAMPLES.uuid })
		?.trim();
	if (participantId) body.participantId = participantId;
	const recipients = readIdentifierList(input, 'identifierValue', 'Recipients', { required: false });
	if (recipients.length) body.recipients = recipients.map((recipient) => ({ type: 'to', ...recipient }));
	const reference = input.param('options.reference', 'Options › Reference', { maxLength: 256 });
	if (reference) body.reference = reference;
	const addMissing = input.raw('options.addMissingParticipants');
	if (typeof addMissing === 'boolean') body.addMissingParticipants = addMissing;
	const draft = input.raw('options.draft');
	if (typeof draft === 'boolean') body.draft = draft;
	Object.assign(body, await buildMessageContent(input));
	const smart = readSmartSend(input);
	if (smart && recipients.length > 1) {
		input.fail(
			{ label: 'Recipients', path: 'identifierValue' },
			`has ${recipients.length} recipients, but If Service Window Is Closed checks one contact's window per message. Leave Recipients empty (the conversation's contact) or give one`,
			recipients[0].identifierValue,
		);
	}
	return smart ? { conversationId, body, smart } : { conversationId, body };
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
 * Just before the reply goes out: the sender (when it is this access key, found in the
 * conversation), smart send's window check, then uploads into the conversation.
 */
export async function finishReply(
	context: IExecuteFunctions,
	lookups: ExecutionLookups,
	reply: Reply,
	itemIndex: number,
	settings: DeliverySettings,
	halted: () => boolean,
): Promise<{ outcome?: SmartSendOutcome; joining: boolean }> {
	const { body } = reply;
	const findSender = body.participantType === 'accessKey' && !body.participantId;
	const conversation = findSender || reply.smart ? await lookups.conversation(reply.conversationId, itemIndex, halted) : undefined;
	let joining = false;
	if (findSender) {
		const sender = resolveSender(context.getNode(), conversation as IDataObject, body.addMissingParticipants as boolean | undefined, itemIndex);
		if (sender.participantId) body.participantId = sender.participantId;
		joining = sender.joining;
		if (joining) body.addMissingParticipants = true;
	}
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
	return { outcome, joining };
}

/** `POST /workspaces/{ws}/conversations/{conversationId}/messages`. */
export function replyRequest({ conversationId, body }: Reply): ItemRequest {
	return { method: 'POST', url: `${WORKSPACE_PATH}/conversations/${encodeURIComponent(conversationId)}/messages`, body };
}

/** When Bird refuses a reply sent without a participant ID, the error says where the ID is found. */
export function explainMissingSender(error: unknown): unknown {
	if (error instanceof NodeApiError && ['400', '422'].includes(String(error.httpCode))) {
		error.description = [error.description, `The node sent this reply as this access key without its participant ID, asking Bird to add it to the conversation. If Bird needs the ID: ${ACCESS_KEY_ID_HELP}`]
			.filter(Boolean)
			.join('\n');
	}
	return error;
}
