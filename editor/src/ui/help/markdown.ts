import MarkdownIt from 'markdown-it';

/**
 * Node help is Markdown written by package authors: shown formatted, never trusted. `html: false`
 * escapes any raw HTML in it (a `<script>` or `<img onerror>` shows as text), and markdown-it's
 * link check refuses `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs. It compiles
 * nothing at run time, so the page's CSP needs no 'unsafe-eval'.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

// A link in the help opens in a new tab: following it in this one would leave the editor (and its
// undeployed edits).
const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Markdown to safe HTML (see above). */
export function renderMarkdown(markdown: string): string {
  return md.render(markdown);
}
