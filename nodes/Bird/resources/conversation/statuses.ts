/** A conversation's statuses in Bird: a closed conversation takes no more messages. */
export const CONVERSATION_STATUSES = [
	{ name: 'Active', value: 'active' },
	{ name: 'Closed', value: 'closed', description: 'Bird refuses messages into a closed conversation' },
];
