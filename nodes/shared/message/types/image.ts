import { mediaSourceFields, readMedia } from '../../media';
import { compact } from '../../validation';
import { readActions } from '../shared-fields';
import type { MessageType } from '../types';

export const image: MessageType = {
	value: 'image',
	noun: 'image',
	name: 'Image',
	description: 'One or more images with an optional caption and buttons',
	target: 'body',
	sharedFields: ['text', 'actions'],
	text: { placeholder: 'e.g. Your parcel is on its way', description: 'A caption under the images (optional)' },
	fields: [
		{
			displayName: 'Images',
			name: 'images',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Image' },
			default: { image: [{ mediaUrl: '' }] },
			placeholder: 'Add Image',
			options: [
				{
					displayName: 'Image',
					name: 'image',
					values: [
						...mediaSourceFields('image', 'https://example.com/picture.jpg'),
						{
							displayName: 'Alt Text',
							name: 'altText',
							type: 'string',
							default: '',
							description: 'A short description of the image',
						},
					],
				},
			],
		},
	],
	async build(input) {
		const images = [];
		for (const [index, entry] of input.entries('images.image').entries()) {
			const at = (label: string, name: string) => ({
				label: `Images › Image ${index + 1} › ${label}`,
				path: `images.image[${index}].${name}`,
			});
			images.push(
				compact({
					mediaUrl: await input.softAsync(() => readMedia(input, entry, at, { kinds: ['image'] })),
					altText: input.soft(() => input.text(entry.altText, at('Alt Text', 'altText'))),
				}),
			);
		}
		if (!images.length) {
			input.fail({ label: 'Images', path: 'images' }, 'needs at least one image', '1 image with a Media URL');
		}
		return compact({ images, text: input.param('text', 'Text'), actions: readActions(input) });
	},
};
