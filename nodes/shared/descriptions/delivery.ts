import type { INode, INodeProperties } from 'n8n-workflow';

import { BIRD_RATE_LIMITS } from '../constants';
import type { DeliverySettings } from '../transport/request';
import { DEFAULT_DELIVERY } from '../transport/request';
import { settingInRange } from '../validation';

/** The Delivery options: how a node paces its requests and retries what Bird did not process. */
export function deliveryOptions(kind: 'read' | 'write'): INodeProperties {
	const limit = BIRD_RATE_LIMITS[kind];
	return {
		displayName: 'Delivery',
		name: 'delivery',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: `Pacing and retries. By default the node stays within Bird's limit of ${limit} ${kind === 'read' ? 'lookups' : 'requests'} per second per workspace and retries rate-limited and failed requests.`,
		options: [
			{
				displayName: 'Max Requests in Flight',
				name: 'maxConcurrent',
				type: 'number',
				default: 0,
				description: 'At most this many requests wait for an answer at once; 0 means no cap besides the rate',
			},
			{
				displayName: 'Max Requests per Second',
				name: 'maxRequestsPerSecond',
				type: 'number',
				default: limit,
				description: `At most this many requests start per second for this node (Bird allows ${limit} per workspace, shared by everything that uses it)`,
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				default: 5,
				description:
					'How often an item is sent again after Bird answered 429 or 5xx. Requests Bird accepted are never sent again.',
			},
			{
				displayName: 'Retry Base Delay (Milliseconds)',
				name: 'retryDelay',
				type: 'number',
				default: 1000,
				description:
					"The first wait before a retry; it doubles on every further retry (with jitter). Bird's Retry-After header wins when present.",
			},
			{
				displayName: 'Timeout (Milliseconds)',
				name: 'timeout',
				type: 'number',
				default: 30000,
				description:
					"How long to wait for Bird's answer. A send that timed out is not sent again, because Bird may have accepted it; the item fails with an error that says so.",
			},
		],
	};
}

/**
 * The Delivery options, checked: a value out of range stops the node before any request, with
 * the option and its range (n8n's number fields would otherwise clamp a typed 600 to the maximum
 * without a word, so they have no min/max of their own).
 */
export function readDelivery(node: INode, value: unknown, kind: 'read' | 'write'): DeliverySettings {
	const options = (value && typeof value === 'object' ? value : {}) as Partial<Record<keyof DeliverySettings, unknown>>;
	const read = (name: keyof DeliverySettings, label: string, range: { min: number; max?: number; integer?: boolean }): number =>
		settingInRange(node, options[name], { label: `Delivery › ${label}`, fallback: DEFAULT_DELIVERY[name], ...range });
	const limit = BIRD_RATE_LIMITS[kind];
	return {
		maxConcurrent: read('maxConcurrent', 'Max Requests in Flight', { min: 0, integer: true }),
		maxRequestsPerSecond: read('maxRequestsPerSecond', 'Max Requests per Second', { min: 1, max: limit }),
		maxRetries: read('maxRetries', 'Max Retries', { min: 0, max: 20, integer: true }),
		retryDelay: read('retryDelay', 'Retry Base Delay (Milliseconds)', { min: 1 }),
		timeout: read('timeout', 'Timeout (Milliseconds)', { min: 100 }),
	};
}
