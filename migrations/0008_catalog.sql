CREATE TABLE `catalog_services` (
	`service_id` text PRIMARY KEY NOT NULL,
	`category` text NOT NULL,
	`name` text NOT NULL,
	`min_amount` integer NOT NULL,
	`max_amount` integer NOT NULL,
	`margin_bps` integer DEFAULT 0 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`synced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `catalog_variations` (
	`service_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`cost_amount` integer NOT NULL,
	`price` integer NOT NULL,
	`fixed_price` integer NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`service_id`, `code`),
	FOREIGN KEY (`service_id`) REFERENCES `catalog_services`(`service_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `purchases` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`service_id` text NOT NULL,
	`category` text NOT NULL,
	`recipient` text NOT NULL,
	`variation_code` text,
	`phone` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`request_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`request_hash` text NOT NULL,
	`provider_code` text,
	`provider_reason` text,
	`provider_transaction_id` text,
	`token` text,
	`units` text,
	`purchased_code` text,
	`failure_reason` text,
	`requeries` integer DEFAULT 0 NOT NULL,
	`next_check_at` integer,
	`escalated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`settled_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `purchases_user_created_idx` ON `purchases` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `purchases_status_check_idx` ON `purchases` (`status`,`next_check_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `purchases_request_id_unique` ON `purchases` (`request_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `purchases_idempotency_unique` ON `purchases` (`user_id`,`idempotency_key`);