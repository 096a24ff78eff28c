/** Facts about api.bird.com that more than one file needs. */

export const CREDENTIAL_TYPE = 'birdChannelsApi';

export const DEFAULT_BASE_URL = 'https://api.bird.com';

/** Bird's documented per-workspace rate limits (requests per second). */
export const BIRD_RATE_LIMITS = { read: 50, write: 500 } as const;

/** Where a user finds the organization ID that Bird's webhook subscriptions need. */
export const ORGANIZATION_ID_HELP =
	"Add it to the Bird credential (field Organization ID). Bird's dashboard shows it under your profile menu (bottom left) › Settings › Organization; it is a UUID like 0e1b4c8a-2f3d-4a5b-9c6d-7e8f9a0b1c2d.";

/**
 * This package's documentation: sections of the README, by their anchors. n8n opens a node's
 * `documentationUrl` as it is (it appends its tracking query only to codex links, which would
 * break an anchor), and a credential's the same way.
 */
export const README_URL = 'https://github.com/n8n-nodes-bird/n8n-nodes-bird';
export const README = {
	credentials: `${README_URL}#credentials`,
	birdTrigger: `${README_URL}#bird-channels-trigger`,
	birdChannels: `${README_URL}#bird-channels`,
	sendMessage: `${README_URL}#send-message`,
	checkServiceWindow: `${README_URL}#check-service-window`,
	createConversation: `${README_URL}#create-conversation`,
	reply: `${README_URL}#reply`,
} as const;

export const DOCS = {
	sendMessage:
		'https://docs.bird.com/api/channels-api/supported-channels/programmable-whatsapp/sending-whatsapp-messages',
	serviceWindow:
		'https://docs.bird.com/api/channels-api/supported-channels/programmable-whatsapp/customer-service-window',
	conversations: 'https://docs.bird.com/api/conversations-api',
	authorization: 'https://docs.bird.com/api/api-access/api-authorization',
	webhooks: 'https://docs.bird.com/api/notifications-api/api-reference/webhook-subscriptions',
} as const;
