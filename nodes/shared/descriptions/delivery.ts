import type { INodeProperties } from 'n8n-workflow';

import { BIRD_RATE_LIMITS } from '../constants';
import type { DeliverySettings } from '../transport/request';
import { DEFAULT_DELIVERY } from '../transport/request';

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
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'At most this many requests wait for an answer at once; 0 means no cap besides the rate',
			},
			{
				displayName: 'Max Requests per Second',
				name: 'maxRequestsPerSecond',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: limit },
				default: limit,
				description: `At most this many requests start per second for this node (Bird allows ${limit} per workspace, shared by everything that uses it)`,
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: 5,
				description:
					'How often an item is sent again after Bird answered 429 or 5xx. Requests Bird accepted are never sent again.',
			},
			{
				displayName: 'Retry Base Delay (Ms)',
				name: 'retryDelay',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1000,
				description:
					"The first wait before a retry; it doubles on every further retry (with jitter). Bird's Retry-After header wins when present.",
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 100 },
				default: 30000,
				description:
					"How long to wait for Bird's answer. A send that timed out is not sent again, because Bird may have accepted it; the item fails with an error that says so.",
			},
		],
	};
}

export function readDelivery(value: unknown): DeliverySettings {
	const options = (value && typeof value === 'object' ? value : {}) as Partial<DeliverySettings>;
	const number = (input: unknown, fallback: number) =>
		typeof input === 'number' && Number.isFinite(input) && input >= 0 ? input : fallback;
	return {
		maxRetries: Math.floor(number(options.maxRetries, DEFAULT_DELIVERY.maxRetries)),
		retryDelay: number(options.retryDelay, DEFAULT_DELIVERY.retryDelay),
		maxRequestsPerSecond: number(options.maxRequestsPerSecond, DEFAULT_DELIVERY.maxRequestsPerSecond),
		maxConcurrent: Math.floor(number(options.maxConcurrent, DEFAULT_DELIVERY.maxConcurrent)),
		timeout: number(options.timeout, DEFAULT_DELIVERY.timeout) || DEFAULT_DELIVERY.timeout,
	};
}
