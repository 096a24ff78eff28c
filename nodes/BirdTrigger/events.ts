import type { INodePropertyOptions } from 'n8n-workflow';

/**
 * The events a Bird Trigger can start on. Each one is a Bird webhook subscription (or several,
 * one per status or interaction type, since Bird allows one value per filter): channel events
 * are named after the channel's platform (`whatsapp.inbound`), conversation events are not.
 */
export const TRIGGER_EVENTS: INodePropertyOptions[] = [
	{
		name: 'Message Received',
		value: 'inbound',
		description: 'A contact sent a message to the channel',
	},
	{
		name: 'Message Status Updated',
		value: 'outbound',
		description: 'A message sent from the channel was accepted, sent, delivered, failed… (one run per status change)',
	},
	{
		name: 'Message Interaction',
		value: 'interaction',
		description: 'A contact clicked, opened, read or reacted to a message',
	},
	{
		name: 'Conversation Created',
		value: 'conversation.created',
		description: 'A conversation started on the channel (needs Conversations enabled on the channel)',
	},
	{
		name: 'Conversation Updated',
		value: 'conversation.updated',
		description: 'A conversation on the channel changed: a new message, a status, a participant',
	},
];

export const MESSAGE_STATUSES = [
	'accepted',
	'processing',
	'scheduled',
	'sent',
	'delivered',
	'sending_failed',
	'delivery_failed',
	'rejected',
	'skipped',
	'deleted',
] as const;

export const INTERACTION_TYPES = ['clicked', 'opened', 'read', 'reaction', 'reported-as-spam'] as const;

export interface TriggerSettings {
	events: string[];
	channelId: string;
	/** Empty: every status. */
	messageStatuses: string[];
	/** Empty: every interaction type. */
	interactionTypes: string[];
}

export interface SubscriptionSpec {
	service: 'channels' | 'conversations';
	event: string;
	eventFilters: Array<{ key: string; value: string }>;
}

/**
 * The platform part of Bird's channel event names, from the channel's `platformId`:
 * `whatsapp` → whatsapp, `sms-messagebird` → sms, `email-sparkpost` → email.
 */
export function eventPlatform(platformId: string): string {
	return platformId.split('-')[0].toLowerCase();
}

/** The subscriptions that deliver the chosen events of one channel. */
export function subscriptionPlan(settings: TriggerSettings, platform: string): SubscriptionSpec[] {
	const channel = { key: 'channelId', value: settings.channelId };
	const each = (event: string, key: string, values: string[]): SubscriptionSpec[] =>
		(values.length ? values : [undefined]).map((value) => ({
			service: 'channels',
			event,
			eventFilters: value === undefined ? [channel] : [channel, { key, value }],
		}));
	return settings.events.flatMap((event): SubscriptionSpec[] => {
		switch (event) {
			case 'inbound':
				return [{ service: 'channels', event: `${platform}.inbound`, eventFilters: [channel] }];
			case 'outbound':
				return each(`${platform}.outbound`, 'messageStatus', settings.messageStatuses);
			case 'interaction':
				return each(`${platform}.interaction`, 'interactionType', settings.interactionTypes);
			case 'conversation.created':
			case 'conversation.updated':
				return [{ service: 'conversations', event, eventFilters: [channel] }];
			default:
				return [];
		}
	});
}
