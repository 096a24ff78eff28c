import type { IBinaryKeyData, IDataObject, INodeProperties } from 'n8n-workflow';

import { readChannelId } from '../../../shared/descriptions/channel';
import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import { downloadMedia, mediaOf } from '../../../shared/download';
import type { ItemInput } from '../../../shared/validation';
import { segment } from '../../shared/contactRef';
import { messageLocator } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';

const show = showFor('message', ['downloadMedia']);

export const fields: INodeProperties[] = [
	messageLocator({ displayOptions: show, description: "The message whose pictures, voice notes, videos and files to fetch (the trigger's messageId)" }),
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The first file goes here, the next ones in data_1, data_2, …',
		displayOptions: show,
	},
	{
		displayName: 'Max File Size (MB)',
		name: 'maxFileSizeMb',
		type: 'number',
		default: 25,
		description: 'A larger file fails the item instead of filling memory or the binary store. From 0.001 to 100.',
		displayOptions: show,
	},
];

/**
 * The files of a channel message as binary data, read from Bird and fetched with the
 * credential where the process runs: in queue mode a worker, which cannot read binary data the
 * main process wrote with n8n's filesystem mode (so the trigger's own Download Media does not
 * reach it there).
 */
export const run = operation({
	readsOnly: true,
	prepare: (input: ItemInput) => ({
		channelId: readChannelId(input),
		messageId: input.uuid(input.raw('messageId'), { label: 'Message', path: 'messageId' }, { required: true }) as string,
		property: (input.param('binaryPropertyName', 'Put Output File in Field', { required: true, example: 'data' }) as string).trim(),
		maxBytes:
			(input.number(input.raw('maxFileSizeMb') ?? 25, { label: 'Max File Size (MB)', path: 'maxFileSizeMb' }, { required: true, min: 0.001, max: 100, example: '25' }) as number) *
			1_000_000,
	}),
	async send({ channelId, messageId, property, maxBytes }, call) {
		const message = await call.read({ method: 'GET', url: `${WORKSPACE_PATH}/channels/${segment(channelId)}/messages/${segment(messageId)}` });
		const media = mediaOf(message.body as IDataObject | undefined);
		const binary: IBinaryKeyData = {};
		for (const [index, ref] of media.entries()) {
			binary[index === 0 ? property : `${property}_${index}`] = await downloadMedia(call.context, ref, { maxBytes, index, itemIndex: call.itemIndex });
		}
		const files = media.map((ref, index) => ({ field: index === 0 ? property : `${property}_${index}`, kind: ref.kind, mediaUrl: ref.url }));
		return { json: { messageId, channelId, files }, ...(media.length ? { binary } : {}) };
	},
});
