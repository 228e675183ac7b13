// A handwriting pad. Pointer events drive it where they exist; touch events cover WebViews without
// them, and are ignored while a pointer stroke is active so one finger never draws twice. The
// backing store is sized for devicePixelRatio so strokes stay sharp on 3x screens.

export class SignaturePad {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.pointerId = null;
    this.last = null;
    this.inked = false;
    this.bind();
  }

  bind() {
    const c = this.canvas;
    c.addEventListener("pointerdown", (e) => this.pointerDown(e));
    c.addEventListener("pointermove", (e) => this.pointerMove(e));
    for (const type of ["pointerup", "pointercancel"]) c.addEventListener(type, (e) => this.pointerUp(e));
    c.addEventListener("touchstart", (e) => this.touch(e, true), { passive: false });
    c.addEventListener("touchmove", (e) => this.touch(e, false), { passive: false });
    c.addEventListener("touchend", (e) => this.touchEnd(e), { passive: false });
  }

  // Size the bitmap to the CSS box times DPR; resizing clears it, so only call with no ink.
  fit() {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(rect.width * dpr);
    this.canvas.height = Math.round(rect.height * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.ctx.lineWidth = 2.5;
    this.ctx.lineCap = "round";
    this.ctx.lineJoin = "round";
    this.ctx.strokeStyle = "#111";
    this.clear();
  }

  clear() {
    this.ctx.save();
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.ctx.restore();
    this.inked = false;
    this.last = null;
  }

  point(clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect();
    return { x: clientX - rect.left, y: clientY - rect.top };
  }

  begin(p) {
    this.last = p;
    this.ctx.beginPath();
    this.ctx.arc(p.x, p.y, this.ctx.lineWidth / 2, 0, Math.PI * 2);
    this.ctx.fillStyle = this.ctx.strokeStyle;
    this.ctx.fill();
    this.inked = true;
  }

  extend(p) {
    if (!this.last) return;
    this.ctx.beginPath();
    this.ctx.moveTo(this.last.x, this.last.y);
    this.ctx.lineTo(p.x, p.y);
    this.ctx.stroke();
    this.last = p;
  }

  pointerDown(e) {
    e.preventDefault();
    this.pointerId = e.pointerId;
    this.canvas.setPointerCapture?.(e.pointerId);
    this.begin(this.point(e.clientX, e.clientY));
  }

  pointerMove(e) {
    if (e.pointerId !== this.pointerId) return;
    const events = e.getCoalescedEvents?.() || [e];
    for (const ev of events) this.extend(this.point(ev.clientX, ev.clientY));
  }

  pointerUp(e) {
    if (e.pointerId !== this.pointerId) return;
    this.pointerId = null;
    this.last = null;
  }

  touch(e, starting) {
    e.preventDefault();
    if (this.pointerId !== null || e.touches.length !== 1) return;
    const p = this.point(e.touches[0].clientX, e.touches[0].clientY);
    if (starting) this.begin(p);
    else this.extend(p);
  }

  touchEnd(e) {
    e.preventDefault();
    if (this.pointerId === null) this.last = null;
  }

  png() {
    return this.canvas.toDataURL("image/png").replace(/^data:image\/png;base64,/, "");
  }
}
