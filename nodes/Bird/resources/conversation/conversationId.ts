import type { ItemInput } from '../../../shared/validation';

/** The Conversation picker's value, checked to be a UUID. */
export function readConversationId(input: ItemInput): string {
	return input.uuid(input.raw('conversationId'), { label: 'Conversation', path: 'conversationId' }, { required: true }) as string;
}
