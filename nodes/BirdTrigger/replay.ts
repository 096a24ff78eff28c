/**
 * Bird retries a delivery for up to 8 hours until it gets a 2xx, so the same event can arrive
 * more than once. A delivery whose event was already accepted within the last hour is
 * acknowledged without starting the workflow again. Accepted events are remembered twice:
 * in this process (catches deliveries that arrive at the same time) and in the node's static
 * data, which n8n saves after each delivery (survives a restart of n8n).
 */
import { createHash } from 'node:crypto';
import type { IDataObject, INode } from 'n8n-workflow';

import { settingInRange } from '../shared/validation';
import type { BirdEvent } from './normalize';

export const REPLAY_WINDOW_MS = 60 * 60 * 1000;
/** How old a signed delivery may be, by default; Max Delivery Age changes it, up to REPLAY_WINDOW_MS. */
export const DEFAULT_MAX_AGE_MINUTES = 5;

/**
 * Options › Max Delivery Age, checked: at most as long as repeats are remembered, or an older
 * signed delivery could be replayed unnoticed. Activation refuses a bad value, so deliveries
 * read the same value that was accepted.
 */
export function maxAgeMinutes(node: INode, options: IDataObject): number {
	const longest = REPLAY_WINDOW_MS / 60_000;
	return settingInRange(node, options.maxAgeMinutes, {
		label: 'Options › Max Delivery Age (Minutes)',
		fallback: DEFAULT_MAX_AGE_MINUTES,
		min: 1,
		max: longest,
		why: `Repeats are remembered for ${longest} minutes, so an older delivery could be replayed unnoticed.`,
	});
}
/** Most events remembered per node; the oldest are forgotten first. */
const MAX_REMEMBERED = 1000;

/** Accepted events of this process, by `${scope}|${key}`. */
const acceptedHere = new Map<string, number>();

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

function recent(entries: Iterable<[string, number]>, now: number): Array<[string, number]> {
	return [...entries].filter(([, at]) => now - at < REPLAY_WINDOW_MS).slice(-MAX_REMEMBERED);
}

/**
 * True the first time an event is seen within the window, and then remembers it.
 * `scope` tells apart nodes, workflows, and test from production runs.
 */
export function acceptOnce(staticData: IDataObject, scope: string, key: string, now: number): boolean {
	for (const [seen, at] of acceptedHere) {
		if (now - at < REPLAY_WINDOW_MS) break;
		acceptedHere.delete(seen);
	}
	const stored = (staticData.birdAcceptedEvents ?? {}) as Record<string, number>;
	const scoped = `${scope}|${key}`;
	const before = stored[key];
	if ((before !== undefined && now - before < REPLAY_WINDOW_MS) || acceptedHere.has(scoped)) return false;
	acceptedHere.set(scoped, now);
	if (acceptedHere.size > MAX_REMEMBERED * 20) acceptedHere.delete(acceptedHere.keys().next().value as string);
	// A fresh object each time: n8n saves static data when a property is assigned.
	staticData.birdAcceptedEvents = Object.fromEntries(recent([...Object.entries(stored), [key, now]], now));
	return true;
}
