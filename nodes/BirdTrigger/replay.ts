/**
 * Bird retries a delivery until it gets a 2xx: "at increasing intervals over 8 hours" by its
 * docs, and as seen in real traffic for about a day, with the first delivery's timestamp. The
 * same event can also arrive twice at once. So a delivery is accepted whatever its age within
 * Max Delivery Age (24 hours by default), and repeats are told by the event's identity
 * (`eventKey`), not by the timestamp: an event accepted within the last REPEAT_WINDOW_MS is
 * acknowledged and starts nothing.
 *
 * The memory lives in this n8n process. n8n 2.x does not save a trigger's static data after a
 * delivery that starts an execution (measured on 2.41.1: the save is skipped once the run has
 * begun), and no other store reaches a webhook; a static-data record would also cost a database
 * write of the whole record per delivery. An event is checked and marked in one synchronous
 * step, so deliveries that arrive together cannot both pass. A restart forgets: the README says
 * how n8n's Remove Duplicates node, keyed on `eventId`, covers that.
 *
 * Per trigger (workflow, node, test or production), event keys are kept in hourly buckets for
 * REPEAT_WINDOW_MS: at most MAX_PER_TRIGGER of them (20,000 events an hour for 25 hours, about
 * 33 MB when full), the oldest hour dropped first beyond that, and MAX_IN_PROCESS in all.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, INode } from 'n8n-workflow';

import { settingInRange } from '../shared/validation';
import type { BirdEvent } from './normalize';

const HOUR_MS = 60 * 60 * 1000;
/** How long an accepted event is remembered: the longest Max Delivery Age and an hour to spare. */
export const REPEAT_WINDOW_MS = 25 * HOUR_MS;
/** The longest Max Delivery Age: Bird's retries, as seen, last about a day. */
export const LONGEST_MAX_AGE_MINUTES = 24 * 60;
/** Max Delivery Age when none is set, in every version of the node. */
export const DEFAULT_MAX_AGE_MINUTES = LONGEST_MAX_AGE_MINUTES;
/** What version 1's field showed as its default (saved workflows that never set it get the new default). */
export const V1_FIELD_DEFAULT_MAX_AGE_MINUTES = 5;
export const MAX_PER_TRIGGER = 500_000;
export const MAX_IN_PROCESS = 1_000_000;

/**
 * Options › Max Delivery Age, checked: at most as long as repeats are remembered, or an older
 * signed delivery could be replayed unnoticed. Activation refuses a bad value, so deliveries
 * read the same value that was accepted.
 */
export function maxAgeMinutes(node: INode, options: IDataObject): number {
	return settingInRange(node, options.maxAgeMinutes, {
		label: 'Options › Max Delivery Age (Minutes)',
		fallback: DEFAULT_MAX_AGE_MINUTES,
		min: 1,
		max: LONGEST_MAX_AGE_MINUTES,
		why: `Repeats are remembered for ${REPEAT_WINDOW_MS / HOUR_MS} hours, so an older delivery could be replayed unnoticed.`,
	});
}

/**
 * What makes two deliveries the same event: the event and its resource's ID, plus the status
 * for status updates (each status change is its own event). For conversation events that only
 * start on a contact's new message, the message: `conversation.created` and a
 * `conversation.updated` for the same first message count once. Where Bird's payload lacks the
 * ID this needs, the delivery's exact bytes stand in (Bird's retries repeat them).
 */
export function eventKey(delivery: BirdEvent, byContactMessage: boolean, rawBody: Buffer): string {
	const payload = delivery.payload;
	const id = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
	const conversation = delivery.event.startsWith('conversation.');
	const last = (payload.lastMessage ?? {}) as IDataObject;
	const resource = conversation && byContactMessage ? id(payload.id) && id(last.id) : id(payload.id);
	if (!resource) return `body:${createHash('sha256').update(rawBody).digest('base64')}`;
	if (conversation) {
		return byContactMessage
			? `conversation:${String(payload.id)}:message:${String(last.id)}`
			: `${delivery.event}:${String(payload.id)}:${String(payload.updatedAt ?? '')}`;
	}
	return `${delivery.event}:${String(payload.id)}:${String(payload.status ?? '')}`;
}

interface Bucket {
	hour: number;
	keys: Set<string>;
}

/** One trigger's accepted events, newest hour last. */
const triggers = new Map<string, Bucket[]>();
let remembered = 0;

/** 96 bits of the key's SHA-256: 65 bytes of memory an event instead of the key's length. */
const compact = (key: string) => createHash('sha256').update(key).digest().toString('base64', 0, 12);

function dropOldest(scope: string, buckets: Bucket[]): void {
	const dropped = buckets.shift();
	if (dropped) remembered -= dropped.keys.size;
	if (!buckets.length) triggers.delete(scope);
}

/** The trigger whose oldest hour is the oldest of all, for when the process holds too many. */
function oldestScope(): string | undefined {
	let oldest: { scope: string; hour: number } | undefined;
	for (const [scope, buckets] of triggers) {
		if (buckets.length && (!oldest || buckets[0].hour < oldest.hour)) oldest = { scope, hour: buckets[0].hour };
	}
	return oldest?.scope;
}

export interface Acceptance {
	/** False: the event was accepted before, within the window. */
	accepted: boolean;
	/** Set when the memory was full and an hour of events was forgotten early. */
	forgotEarly?: boolean;
}

/**
 * True the first time an event is seen within the window, and then remembers it. Synchronous:
 * two deliveries of one event cannot both be accepted. `scope` tells apart nodes, workflows,
 * and test from production runs.
 */
export function acceptOnce(scope: string, key: string, now: number): Acceptance {
	const hour = Math.floor(now / HOUR_MS);
	const oldestKept = Math.floor((now - REPEAT_WINDOW_MS) / HOUR_MS);
	let buckets = triggers.get(scope);
	while (buckets?.length && buckets[0].hour < oldestKept) dropOldest(scope, buckets);
	buckets = triggers.get(scope);
	const compacted = compact(key);
	if (buckets?.some((bucket) => bucket.keys.has(compacted))) return { accepted: false };
	if (!buckets) {
		buckets = [];
		triggers.set(scope, buckets);
	}
	let newest = buckets[buckets.length - 1];
	if (!newest || newest.hour !== hour) {
		newest = { hour, keys: new Set() };
		buckets.push(newest);
	}
	newest.keys.add(compacted);
	remembered++;
	let forgotEarly = false;
	while (buckets.length > 1 && buckets.reduce((sum, bucket) => sum + bucket.keys.size, 0) > MAX_PER_TRIGGER) {
		dropOldest(scope, buckets);
		forgotEarly = true;
	}
	while (remembered > MAX_IN_PROCESS) {
		const oldest = oldestScope();
		if (!oldest) break;
		dropOldest(oldest, triggers.get(oldest) as Bucket[]);
		forgotEarly = true;
	}
	return forgotEarly ? { accepted: true, forgotEarly } : { accepted: true };
}

/** Forgets an accepted event, so that Bird's next delivery of it is taken (its handling failed; Bird got an error). */
export function forgetEvent(scope: string, key: string): void {
	const compacted = compact(key);
	for (const bucket of triggers.get(scope) ?? []) {
		if (bucket.keys.delete(compacted)) remembered--;
	}
}

/** How many events this process remembers (for tests and the benchmark). */
export function rememberedEvents(scope?: string): number {
	if (scope === undefined) return remembered;
	return (triggers.get(scope) ?? []).reduce((sum, bucket) => sum + bucket.keys.size, 0);
}
