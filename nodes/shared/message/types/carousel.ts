import { mediaSourceFields, readMedia } from '../../media';
import { compact } from '../../validation';
import type { MessageType } from '../types';

export const carousel: MessageType = {
	value: 'carousel',
	noun: 'carousel',
	name: 'Carousel',
	description: 'Two to ten cards, each with an image, a title and a link',
	target: 'body',
	sharedFields: ['text'],
	text: { placeholder: 'e.g. New this week', description: 'A text above the cards (optional, up to 1,024 characters)' },
	fields: [
		{
			displayName: 'Cards',
			name: 'carouselCards',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Card' },
			default: { card: [{ title: '' }, { title: '' }] },
			placeholder: 'Add Card',
			description: 'From 2 to 10 cards; on WhatsApp all images or all videos',
			options: [
				{
					displayName: 'Card',
					name: 'card',
					// In the order a card reads: its title, its picture, its words, its button.
					values: [
						{ displayName: 'Title', name: 'title', type: 'string', default: '', placeholder: 'e.g. Blue sneakers', required: true },
						...mediaSourceFields('picture', 'https://example.com/product.jpg'),
						{ displayName: 'Description', name: 'description', type: 'string', default: '' },
						{
							displayName: 'Link Text',
							name: 'linkText',
							type: 'string',
							default: '',
							required: true,
							placeholder: 'e.g. Buy now',
						},
						{
							displayName: 'Link URL',
							name: 'linkUrl',
							type: 'string',
							default: '',
							required: true,
							placeholder: 'https://example.com/product',
						},
					],
				},
			],
		},
	],
	async build(input) {
		const cards = input.entries('carouselCards.card');
		if (cards.length < 2 || cards.length > 10) {
			input.fail(
				{ label: 'Cards', path: 'carouselCards' },
				`has ${cards.length} card${cards.length === 1 ? '' : 's'}; a carousel needs 2 to 10`,
				'2 cards, each with a Title, Media URL, Link Text and Link URL',
			);
		}
		const items = [];
		for (const [index, card] of cards.entries()) {
			const at = (label: string, name: string) => ({
				label: `Cards › Card ${index + 1} › ${label}`,
				path: `carouselCards.card[${index}].${name}`,
			});
			// Every card's every field is checked, so that one run names all that need a value.
			items.push(compact({
				title: input.soft(() => input.text(card.title, at('Title', 'title'), { required: true, example: 'Blue sneakers' })),
				mediaUrl: await input.softAsync(() => readMedia(input, card, at, { kinds: ['image', 'video'] })),
				description: input.soft(() => input.text(card.description, at('Description', 'description'))),
				actions: [
					{
						type: 'link',
						link: {
							text: input.soft(() => input.text(card.linkText, at('Link Text', 'linkText'), { required: true, example: 'Buy now' })),
							url: input.soft(() => input.url(card.linkUrl, at('Link URL', 'linkUrl'), { required: true })),
						},
					},
				],
			}));
		}
		return compact({ items, text: input.soft(() => input.param('text', 'Text', { maxLength: 1024 })) });
	},
};
