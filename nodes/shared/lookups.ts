/**
 * Reads an execution makes once and shares between its items: a channel (its platform decides
 * whether smart send checks a window), a conversation (its channel, its contact and its
 * access-key participant). Each is read at most once per node execution; a failed read is
 * forgotten, so the next item asks again.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { WORKSPACE_PATH } from './descriptions/node';
import type { DeliverySettings } from './transport/request';
import { birdRequest, readJson } from './transport/request';

export class ExecutionLookups {
	private readonly cache = new Map<string, Promise<IDataObject>>();

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly settings: DeliverySettings,
	) {}

	private read(url: string, itemIndex: number, halted?: () => boolean): Promise<IDataObject> {
		let answer = this.cache.get(url);
		if (!answer) {
			answer = birdRequest(this.context, { method: 'GET', url }, { itemIndex, settings: this.settings, halted }).then((response) =>
				readJson(this.context, response, itemIndex),
			);
			answer.catch(() => this.cache.delete(url));
			this.cache.set(url, answer);
		}
		return answer;
	}

	channel(channelId: string, itemIndex: number, halted?: () => boolean): Promise<IDataObject> {
		return this.read(`${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}`, itemIndex, halted);
	}

	conversation(conversationId: string, itemIndex: number, halted?: () => boolean): Promise<IDataObject> {
		return this.read(`${WORKSPACE_PATH}/conversations/${encodeURIComponent(conversationId)}`, itemIndex, halted);
	}
}

/** WhatsApp is the platform with a customer service window (platform IDs such as `whatsapp`). */
export function hasServiceWindow(channel: IDataObject): boolean {
	return String(channel.platformId ?? '').toLowerCase().startsWith('whatsapp');
}
