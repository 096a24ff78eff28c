/**
 * Who a reply is sent as when Sender Type is Access Key and the node gives no ID: this
 * credential's access key. Bird's conversation messages name their sender by participant ID.
 *
 * 1. The credential's Access Key ID, when it has one: certain to be this key. Bird is asked to
 *    add it to the conversation if it is not a participant yet (`addMissingParticipants`, unless
 *    the node turns that off).
 * 2. Otherwise the conversation's one `accessKey` participant (Bird's docs: a conversation created
 *    through the API carries the access key that created it), read once per conversation.
 * 3. Otherwise the item fails, saying where the ID is found: a customer started the conversation
 *    (no access key in it), or several keys take part and which is this one is not known.
 */
import type { IDataObject, INode, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Where a user finds the ID of an access key's participant. */
/** Reply's Sender Type options: what Bird accepts for a conversation message, and the `user` saved workflows may hold. */
export const SENDER_TYPES: INodePropertyOptions[] = [
	{ name: 'Access Key', value: 'accessKey', description: "This integration: the credential's access key, found in the conversation" },
	{ name: 'Contact', value: 'contact', description: 'A contact taking part in the conversation, as if they wrote it' },
	{ name: 'Flow', value: 'flow', description: 'A Bird flow' },
	// Kept so that saved workflows still open; Bird refuses it, and the node says what to use instead.
	{ name: 'User (Not Accepted by Bird)', value: 'user', description: 'Bird sends conversation messages only as an access key, a flow or a contact' },
];

export const ACCESS_KEY_ID_HELP =
	"Add the access key's ID to the Bird credential (field Access Key ID), or enter it in this node's Access Key ID. Bird's dashboard shows it next to the key in Settings › Developer › Access keys; it is not the key itself.";

/** The one access-key participant of a conversation, or the item's error. */
export function accessKeyParticipant(node: INode, conversation: IDataObject, itemIndex: number): string {
	const keys = ((conversation.featuredParticipants ?? []) as IDataObject[]).filter(
		(participant) => participant.type === 'accessKey' && typeof participant.id === 'string' && participant.id,
	);
	if (keys.length === 1) return keys[0].id as string;
	const conversationId = String(conversation.id);
	if (!keys.length) {
		throw new NodeOperationError(node, `Conversation ${conversationId} has no access key among its participants to send as (item ${itemIndex})`, {
			itemIndex,
			description: `A customer probably started it. ${ACCESS_KEY_ID_HELP} With the ID, the node asks Bird to add the key to the conversation.`,
		});
	}
	const names = keys.map((key) => `${String(key.displayName ?? 'access key')} (${String(key.id)})`).join(', ');
	throw new NodeOperationError(node, `Conversation ${conversationId} has ${keys.length} access keys among its participants; which one is this credential's is not known (item ${itemIndex})`, {
		itemIndex,
		description: `They are: ${names}. ${ACCESS_KEY_ID_HELP}`,
	});
}
