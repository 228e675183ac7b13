// Focus an input as a tap would; report where it ends up against the keyboard's top edge.
const [id, kbShare] = arguments;
const e = document.querySelector(`[data-testid="${id}"]`);
if (!e || e.closest('[hidden]')) return null;
e.focus();
return await new Promise((done) => setTimeout(() => {
  const r = e.getBoundingClientRect();
  const keyboardTop = window.innerHeight * (1 - kbShare);
  done({top: r.top, bottom: r.bottom, keyboardTop, focused: document.activeElement === e});
}, 700));
