import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { DOCS } from '../shared/constants';
import { channelLocator } from '../shared/descriptions/channel';
import { birdIcon, sendingNodeBase, WORKSPACE_PATH } from '../shared/descriptions/node';
import { identifierFields, readIdentifierList } from '../shared/descriptions/recipients';
import { searchChannels, searchTemplates } from '../shared/listSearch';
import { messageContentProperties } from '../shared/message';
import { bodyStep, readChannelId } from '../shared/presend';
import { routedDeliveryOptions } from '../shared/transport/routing';
import { sendOptions } from './sendOptions';

const setReceiver = bodyStep((input, body, path) => {
	path.channelId = readChannelId(input);
	const contacts = readIdentifierList(input, 'identifierValue', 'Recipient', { required: true, max: 50 });
	body.receiver = { contacts };
});

export class BirdSendMessage implements INodeType {
	description: INodeTypeDescription = {
		...sendingNodeBase,
		icon: birdIcon,
		usableAsTool: true,
		displayName: 'Bird: Send Message',
		name: 'birdSendMessage',
		subtitle: '={{ "Send " + $parameter["messageType"] }}',
		description: 'Send a WhatsApp, SMS, email, Telegram or other message through a Bird channel',
		defaults: { name: 'Bird: Send Message' },
		properties: [
			{
				...channelLocator,
				// The request and its first step hang off the Channel, which is rarely an expression:
				// n8n evaluates a routed parameter's expression twice more per item.
				routing: {
					request: {
						method: 'POST',
						url: `${WORKSPACE_PATH}/channels/{channelId}/messages`,
					},
					send: { preSend: [setReceiver] },
				},
			},
			...identifierFields({ valueLabel: 'Recipient', multiple: true }),
			...messageContentProperties(''),
			sendOptions,
			routedDeliveryOptions,
			{
				displayName: `Bird answers with the message it accepted (ID and status). <a href="${DOCS.sendMessage}" target="_blank">Message types in Bird's docs</a>`,
				name: 'sendNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = { listSearch: { searchChannels, searchTemplates } };
}
