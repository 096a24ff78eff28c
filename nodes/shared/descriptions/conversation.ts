import type { INodePropertyOptions } from 'n8n-workflow';

/** Who sees a conversation in Bird (Create Conversation's and Bird Channels' Update's Visibility). */
export const CONVERSATION_VISIBILITIES: INodePropertyOptions[] = [
	{ name: 'Public', value: 'public', description: 'Visible to everyone in the workspace' },
	{ name: 'Private', value: 'private', description: 'Visible to its participants only' },
];

/** Who may join a conversation in Bird (Accessibility). */
export const CONVERSATION_ACCESSIBILITIES: INodePropertyOptions[] = [
	{ name: 'Open', value: 'open', description: 'Anyone in the workspace can join' },
	{ name: 'Invite Only', value: 'invite-only' },
	{ name: 'Request to Join', value: 'request-to-join' },
];
