import { mediaSourceFields, readMedia } from '../../media';
import { compact } from '../../validation';
import { readActions } from '../shared-fields';
import type { MessageType } from '../types';

const CONTENT_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/i;

export const file: MessageType = {
	value: 'file',
	noun: 'file',
	name: 'File',
	description: 'One or more documents, videos or audio files',
	target: 'body',
	sharedFields: ['text', 'actions'],
	text: { placeholder: 'e.g. Your invoice for order 1234', description: 'A caption with the files (optional)' },
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
						...mediaSourceFields('file', 'https://example.com/invoice.pdf'),
						{
							displayName: 'Content Type',
							name: 'contentType',
							type: 'string',
							default: 'application/pdf',
							required: true,
							placeholder: 'e.g. application/pdf, video/mp4, audio/mpeg',
							description: 'The MIME type of the file',
							displayOptions: { show: { source: ['url'] } },
						},
						{
							displayName: 'Content Type',
							name: 'binaryContentType',
							type: 'string',
							default: '',
							placeholder: 'e.g. application/pdf',
							description: "The MIME type of the file; empty takes the binary data's own",
							displayOptions: { show: { source: ['binary'] } },
						},
						{
							displayName: 'Filename',
							name: 'filename',
							type: 'string',
							default: '',
							placeholder: 'e.g. invoice.pdf',
							description: "The name the recipient sees; for binary data, empty takes the file's own name",
						},
					],
				},
			],
		},
	],
	async build(input) {
		const files = [];
		for (const [index, entry] of input.entries('files.file').entries()) {
			const at = (label: string, name: string) => ({
				label: `Files › File ${index + 1} › ${label}`,
				path: `files.file[${index}].${name}`,
			});
			const binary = entry.source === 'binary';
			const typeField = binary ? at('Content Type', 'binaryContentType') : at('Content Type', 'contentType');
			const typed = input.soft(() => {
				const value = input.text(binary ? entry.binaryContentType : entry.contentType, typeField, { required: !binary, example: 'application/pdf' })?.trim();
				if (value !== undefined && !CONTENT_TYPE.test(value)) input.fail(typeField, `"${value}" is not a MIME type`, 'application/pdf');
				return value;
			});
			const filename = input.soft(() => input.text(entry.filename, at('Filename', 'filename'))?.trim());
			const media = await input.softAsync(() => readMedia(input, entry, at, { contentType: typed, fileName: filename }));
			files.push(
				compact({
					mediaUrl: media,
					contentType: media === undefined || typeof media === 'string' ? typed : media.contentType,
					filename: media === undefined || typeof media === 'string' ? filename : media.fileName,
				}),
			);
		}
		if (!files.length) {
			input.fail({ label: 'Files', path: 'files' }, 'needs at least one file', '1 file with a Media URL and Content Type');
		}
		return compact({ files, text: input.param('text', 'Text'), actions: readActions(input) });
	},
};
