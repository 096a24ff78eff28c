import { compact } from '../../validation';
import { readActions } from '../shared-fields';
import type { MessageType } from '../types';

const CONTENT_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/i;

export const file: MessageType = {
	value: 'file',
	name: 'File',
	description: 'One or more documents, videos or audio files',
	target: 'body',
	sharedFields: ['text', 'actions'],
	fields: [
		{
			displayName: 'Files',
			name: 'files',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add File' },
			default: { file: [{ mediaUrl: '', contentType: 'application/pdf' }] },
			placeholder: 'Add File',
			options: [
				{
					displayName: 'File',
					name: 'file',
					values: [
						{
							displayName: 'Media URL',
							name: 'mediaUrl',
							type: 'string',
							default: '',
							placeholder: 'https://example.com/invoice.pdf',
							description: 'A public http(s) URL of the file',
						},
						{
							displayName: 'Content Type',
							name: 'contentType',
							type: 'string',
							default: 'application/pdf',
							placeholder: 'e.g. application/pdf, video/mp4, audio/mpeg',
							description: 'The MIME type of the file',
						},
						{
							displayName: 'Filename',
							name: 'filename',
							type: 'string',
							default: '',
							placeholder: 'e.g. invoice.pdf',
							description: 'The name the recipient sees',
						},
					],
				},
			],
		},
	],
	build(input) {
		const files = input.entries('files.file').map((entry, index) => {
			const at = (label: string, name: string) => ({
				label: `Files › File ${index + 1} › ${label}`,
				path: `files.file[${index}].${name}`,
			});
			const contentType = input.text(entry.contentType, at('Content Type', 'contentType'), {
				required: true,
				example: 'application/pdf',
			}) as string;
			if (!CONTENT_TYPE.test(contentType.trim())) {
				input.fail(at('Content Type', 'contentType'), `"${contentType}" is not a MIME type`, 'application/pdf');
			}
			return compact({
				mediaUrl: input.url(entry.mediaUrl, at('Media URL', 'mediaUrl'), { required: true }),
				contentType: contentType.trim(),
				filename: input.text(entry.filename, at('Filename', 'filename')),
			});
		});
		if (!files.length) {
			input.fail({ label: 'Files', path: 'files' }, 'needs at least one file', '1 file with a Media URL and Content Type');
		}
		return compact({ files, text: input.param('text', 'Text'), actions: readActions(input) });
	},
};
