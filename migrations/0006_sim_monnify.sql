CREATE TABLE `sim_monnify_bank_accounts` (
	`account_number` text PRIMARY KEY NOT NULL,
	`account_reference` text NOT NULL,
	`bank_code` text NOT NULL,
	`bank_name` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sim_monnify_bank_accounts_reference_idx` ON `sim_monnify_bank_accounts` (`account_reference`);--> statement-breakpoint
CREATE TABLE `sim_monnify_faults` (
	`operation` text PRIMARY KEY NOT NULL,
	`remaining` integer NOT NULL,
	`kind` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sim_monnify_reserved_accounts` (
	`account_reference` text PRIMARY KEY NOT NULL,
	`reservation_reference` text NOT NULL,
	`account_name` text NOT NULL,
	`customer_name` text NOT NULL,
	`customer_email` text NOT NULL,
	`bvn` text,
	`nin` text,
	`contract_code` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sim_monnify_tokens` (
	`token` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sim_monnify_transactions` (
	`transaction_reference` text PRIMARY KEY NOT NULL,
	`payment_reference` text NOT NULL,
	`product_type` text NOT NULL,
	`product_reference` text NOT NULL,
	`status` text NOT NULL,
	`payable_kobo` integer NOT NULL,
	`paid_kobo` integer DEFAULT 0 NOT NULL,
	`payment_method` text,
	`description` text NOT NULL,
	`customer_name` text NOT NULL,
	`customer_email` text NOT NULL,
	`redirect_url` text,
	`meta_data` text DEFAULT '{}' NOT NULL,
	`destination_account_number` text,
	`destination_bank_code` text,
	`destination_bank_name` text,
	`source_account_name` text,
	`source_account_number` text,
	`source_bank_code` text,
	`session_id` text,
	`paid_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sim_monnify_transactions_payment_reference_unique` ON `sim_monnify_transactions` (`payment_reference`);--> statement-breakpoint
CREATE TABLE `sim_monnify_webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`transaction_reference` text NOT NULL,
	`url` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_result` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sim_monnify_webhooks_status_idx` ON `sim_monnify_webhooks` (`status`,`created_at`);