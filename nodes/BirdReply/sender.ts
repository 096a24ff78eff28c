/**
 * Who a reply is sent as when Sender Type is Access Key and no ID is given: this credential's
 * access key, as the conversation knows it. Bird lists a conversation's participants in
 * `featuredParticipants`; a conversation created through the API carries the access key that
 * created it (type `accessKey`). One such participant: its ID. None: Bird is asked to add the
 * sender (`addMissingParticipants`), unless the user turned that off. Several: the node cannot
 * tell which is this credential's key and says so.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Where a user finds the ID of an access key's participant. */
export const ACCESS_KEY_ID_HELP =
	"Set Sender ID to the ID of this credential's access key (not the key itself): Bird's dashboard shows it in Settings › Access keys, next to the key.";

export interface ResolvedSender {
	participantId?: string;
	/** True when the conversation has no access-key participant and Bird is asked to add this one. */
	joining: boolean;
}

export function resolveSender(
	node: INode,
	conversation: IDataObject,
	addMissingParticipants: boolean | undefined,
	itemIndex: number,
): ResolvedSender {
	const keys = ((conversation.featuredParticipants ?? []) as IDataObject[]).filter(
		(participant) => participant.type === 'accessKey' && typeof participant.id === 'string' && participant.id,
	);
	if (keys.length === 1) return { participantId: keys[0].id as string, joining: false };
	if (keys.length > 1) {
		const names = keys.map((key) => `${String(key.displayName ?? 'access key')} (${String(key.id)})`).join(', ');
		throw new NodeOperationError(node, `Conversation ${String(conversation.id)} has ${keys.length} access-key participants; which one is this credential's is not known (item ${itemIndex})`, {
			itemIndex,
			description: `The access-key participants are: ${names}. ${ACCESS_KEY_ID_HELP}`,
		});
	}
	if (addMissingParticipants === false) {
		throw new NodeOperationError(node, `Conversation ${String(conversation.id)} has no access-key participant to send as, and Add Missing Participants is off (item ${itemIndex})`, {
			itemIndex,
			description: `Turn Options › Add Missing Participants on to let Bird add this access key to the conversation, or: ${ACCESS_KEY_ID_HELP}`,
		});
	}
	return { joining: true };
}
