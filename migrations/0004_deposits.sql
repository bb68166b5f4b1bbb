CREATE TABLE `anomalies` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`provider` text,
	`deposit_id` text,
	`event_id` text,
	`details` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` text,
	`resolution` text
);
--> statement-breakpoint
CREATE INDEX `anomalies_status_idx` ON `anomalies` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `deposits` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`method` text NOT NULL,
	`currency` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`phone` text,
	`callback_token_hash` text,
	`merchant_request_id` text,
	`checkout_request_id` text,
	`receipt` text,
	`failure_reason` text,
	`result_code` text,
	`result_desc` text,
	`idempotency_key` text,
	`request_hash` text,
	`checks` integer DEFAULT 0 NOT NULL,
	`next_check_at` integer,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`settled_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deposits_user_created_idx` ON `deposits` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deposits_status_check_idx` ON `deposits` (`status`,`next_check_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `deposits_checkout_unique` ON `deposits` (`checkout_request_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `deposits_callback_token_unique` ON `deposits` (`callback_token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `deposits_idempotency_unique` ON `deposits` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `provider_events` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`external_id` text,
	`deposit_id` text,
	`source_ip` text,
	`payload` text NOT NULL,
	`outcome` text NOT NULL,
	`note` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `provider_events_provider_idx` ON `provider_events` (`provider`,`received_at`);--> statement-breakpoint
CREATE INDEX `provider_events_deposit_idx` ON `provider_events` (`deposit_id`);