CREATE TABLE `monnify_accounts` (
	`user_id` text PRIMARY KEY NOT NULL,
	`account_reference` text NOT NULL,
	`status` text NOT NULL,
	`accounts` text DEFAULT '[]' NOT NULL,
	`account_name` text,
	`reservation_reference` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`requested_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `monnify_accounts_reference_unique` ON `monnify_accounts` (`account_reference`);--> statement-breakpoint
CREATE INDEX `monnify_accounts_status_idx` ON `monnify_accounts` (`status`,`requested_at`);--> statement-breakpoint
CREATE TABLE `monnify_checkouts` (
	`deposit_id` text PRIMARY KEY NOT NULL,
	`transaction_reference` text NOT NULL,
	`checkout_url` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `monnify_checkouts_transaction_unique` ON `monnify_checkouts` (`transaction_reference`);--> statement-breakpoint
CREATE TABLE `monnify_transactions` (
	`transaction_reference` text PRIMARY KEY NOT NULL,
	`product_type` text NOT NULL,
	`product_reference` text NOT NULL,
	`user_id` text,
	`deposit_id` text,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`event_id` text,
	`note` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `monnify_transactions_user_idx` ON `monnify_transactions` (`user_id`);