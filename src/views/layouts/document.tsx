import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

/** Every full page: the doctype keeps browsers in standards mode (JSX cannot write it), then `<html>`. */
export function Document({ children }: { children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">{children}</html>
    </>
  );
}
