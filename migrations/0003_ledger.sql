CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`currency` text NOT NULL,
	`seq` integer NOT NULL,
	`transfer_id` text NOT NULL,
	`kind` text NOT NULL,
	`account` text NOT NULL,
	`direction` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`balance_after` integer,
	`held_after` integer,
	`reference` text,
	`related_id` text,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`projected_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_wallet_seq_unique` ON `ledger_entries` (`user_id`,`currency`,`seq`);--> statement-breakpoint
CREATE INDEX `ledger_entries_account_idx` ON `ledger_entries` (`account`,`currency`,`status`);--> statement-breakpoint
CREATE INDEX `ledger_entries_transfer_idx` ON `ledger_entries` (`transfer_id`);