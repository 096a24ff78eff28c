/** Facts about api.bird.com that more than one file needs. */

export const CREDENTIAL_TYPE = 'birdApi';

export const DEFAULT_BASE_URL = 'https://api.bird.com';

/** Bird's documented per-workspace rate limits (requests per second). */
export const BIRD_RATE_LIMITS = { read: 50, write: 500 } as const;

export const DOCS = {
	sendMessage:
		'https://docs.bird.com/api/channels-api/supported-channels/programmable-whatsapp/sending-whatsapp-messages',
	serviceWindow:
		'https://docs.bird.com/api/channels-api/supported-channels/programmable-whatsapp/customer-service-window',
	conversations: 'https://docs.bird.com/api/conversations-api',
	authorization: 'https://docs.bird.com/api/api-access/api-authorization',
} as const;
