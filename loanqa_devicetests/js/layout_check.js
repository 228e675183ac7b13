// Layout findings on the visible page: overflow, tap targets, clipped button text.
const [minTap, kbShare, focusInputs] = arguments;
const out = [];
const name = (e) => e.dataset.testid || e.id || e.tagName.toLowerCase();
const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && !e.closest('[hidden]'); };
const page = [...document.querySelectorAll('[data-testid^="page-"]')].find((p) => !p.hidden);
const root = document.documentElement;
if (root.scrollWidth > window.innerWidth + 1)
  out.push({check: 'horizontal-overflow', element: 'document', detail: `scrollWidth ${root.scrollWidth} > viewport ${window.innerWidth}`});
const scope = [document.querySelector('header'), page, document.querySelector('[data-testid="error-banner"]')].filter(Boolean);
for (const s of scope) for (const e of s.querySelectorAll('*')) {
  if (!shown(e)) continue;
  const r = e.getBoundingClientRect();
  if (r.right > window.innerWidth + 1 || r.left < -1)
    out.push({check: 'horizontal-overflow', element: name(e), detail: `spans ${Math.round(r.left)}..${Math.round(r.right)} of ${window.innerWidth}`});
}
for (const s of scope) for (const e of s.querySelectorAll('button, select, a[href], input:not([type=checkbox]):not([type=radio])')) {
  if (!shown(e)) continue;
  const r = e.getBoundingClientRect();
  if (r.width < minTap || r.height < minTap)
    out.push({check: 'tap-target', element: name(e), detail: `${Math.round(r.width)}x${Math.round(r.height)} CSS px < ${minTap}`});
  if (e.tagName === 'BUTTON' && (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
    out.push({check: 'clipped-text', element: name(e), detail: `content ${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`});
}
for (const s of scope) for (const e of s.querySelectorAll('input[type=checkbox]')) {
  if (!shown(e)) continue;
  const t = e.closest('label') || e; const r = t.getBoundingClientRect();
  if (r.height < minTap) out.push({check: 'tap-target', element: name(e), detail: `label ${Math.round(r.height)} CSS px high < ${minTap}`});
}
return out;
