// Notebook 08's drawing pad (an anywidget front end; the logic lives in drawpad.py and course_lib/digits.py).
// In: strokes drawn with a mouse, a finger or a pen (pointer events) on a canvas of `size` × `size` pixels.
// When a stroke ends, the canvas goes to Python as `canvas`: one byte a pixel, row by row, 0 = paper, 255 = ink.
// Out, set by Python: `seen` (28 × 28 bytes, what the network sees), `probs` (10 floats), `reading` and `digit`.
// Python may also set `canvas` (a random test digit): it is then drawn here, without being sent back.

function element(tag, className, style = {}, text = "") {
  const node = document.createElement(tag);
  node.className = className;
  Object.assign(node.style, style);
  node.textContent = text;
  return node;
}

function button(label, className) {
  return element("button", `drawpad-tool ${className}`, {
    margin: "0 6px 6px 0", padding: "4px 10px", border: "1px solid #999", borderRadius: "4px",
    background: "#f4f4f4", cursor: "pointer", font: "inherit",
  }, label);
}

function drawBytes(context, bytes, side) {
  // Paint grey levels (0 paper .. 255 ink) as dark ink on white paper.
  const pixels = context.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const shade = 255 - (i < bytes.byteLength ? bytes.getUint8(i) : 0);
    pixels.data.set([shade, shade, shade, 255], 4 * i);
  }
  context.putImageData(pixels, 0, 0);
}

function render({ model, el }) {
  const size = model.get("size");
  const root = element("div", "drawpad", { display: "flex", gap: "24px", alignItems: "flex-start",
                                           fontFamily: "sans-serif", fontSize: "14px" });
  const left = element("div", "drawpad-left");
  const tools = element("div", "drawpad-tools");
  const pen = button("pen", "drawpad-pen");
  const eraser = button("eraser", "drawpad-eraser");
  const clear = button("clear", "drawpad-clear");
  tools.append(pen, eraser, clear);
  const canvas = element("canvas", "drawpad-canvas", {
    width: `${size}px`, height: `${size}px`, border: "1px solid #666", touchAction: "none",
    cursor: "crosshair", background: "#fff", display: "block",
  });
  canvas.width = canvas.height = size;
  left.append(tools, canvas);

  const right = element("div", "drawpad-right");
  const seenCaption = element("div", "drawpad-caption", { marginBottom: "4px" }, "what the network sees (28 × 28)");
  const seen = element("canvas", "drawpad-seen", { width: "140px", height: "140px", border: "1px solid #666",
                                                    imageRendering: "pixelated", display: "block" });
  seen.width = seen.height = 28;
  const bars = element("div", "drawpad-bars", { display: "flex", alignItems: "flex-end", gap: "4px",
                                                height: "120px", marginTop: "4px" });
  const columns = Array.from({ length: 10 }, (_, digit) => {
    const column = element("div", "drawpad-bar", { display: "flex", flexDirection: "column",
                                                   alignItems: "center", justifyContent: "flex-end",
                                                   height: "100%", width: "22px" });
    const bar = element("div", "drawpad-bar-fill", { width: "18px", height: "0px", background: "#1f77b4" });
    column.append(bar, element("div", "drawpad-bar-label", {}, String(digit)));
    bars.append(column);
    return bar;
  });
  const barsCaption = element("div", "drawpad-caption", { marginTop: "16px" }, "probability of each digit");
  const reading = element("div", "drawpad-reading", { marginTop: "10px", fontWeight: "bold", maxWidth: "320px" });
  right.append(seenCaption, seen, barsCaption, bars, reading);
  root.append(left, right);
  el.append(root);

  const context = canvas.getContext("2d", { willReadFrequently: true });
  let tool = "pen";
  let last = null;
  let sending = false;

  function selectTool(name) {
    tool = name;
    pen.style.background = name === "pen" ? "#cde" : "#f4f4f4";
    eraser.style.background = name === "eraser" ? "#cde" : "#f4f4f4";
  }

  function brush() {
    const width = model.get(tool === "pen" ? "pen_width" : "eraser_width");
    context.strokeStyle = context.fillStyle = tool === "pen" ? "#000" : "#fff";
    context.lineWidth = width;
    context.lineCap = context.lineJoin = "round";
    return width;
  }

  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * size / box.width, (event.clientY - box.top) * size / box.height];
  }

  function send() {
    const rgba = context.getImageData(0, 0, size, size).data;
    const ink = new Uint8Array(size * size);
    for (let i = 0; i < ink.length; i++) ink[i] = 255 - rgba[4 * i];
    sending = true;
    model.set("canvas", new DataView(ink.buffer));
    sending = false;
    model.save_changes();
  }

  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    const width = brush();
    context.beginPath();
    context.arc(last[0], last[1], width / 2, 0, 2 * Math.PI);
    context.fill();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = at(event);
    brush();
    context.beginPath();
    context.moveTo(...last);
    context.lineTo(...next);
    context.stroke();
    last = next;
  });
  const release = () => {
    if (!last) return;
    last = null;
    send();
  };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  pen.addEventListener("click", () => selectTool("pen"));
  eraser.addEventListener("click", () => selectTool("eraser"));
  clear.addEventListener("click", () => {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, size, size);
    send();
  });

  function showCanvas() {
    if (!sending) drawBytes(context, model.get("canvas"), size);
  }
  function showSeen() {
    drawBytes(seen.getContext("2d"), model.get("seen"), 28);
  }
  function showReading() {
    const probs = model.get("probs");
    const digit = model.get("digit");
    columns.forEach((bar, d) => {
      bar.style.height = `${Math.round(100 * (probs[d] || 0))}px`;
      bar.style.background = d === digit ? "#d62728" : "#1f77b4";
      bar.title = `${d}: ${((probs[d] || 0) * 100).toFixed(1)}%`;
    });
    reading.textContent = model.get("reading");
    reading.dataset.digit = String(digit);
  }
  model.on("change:canvas", showCanvas);
  model.on("change:seen", showSeen);
  model.on("change:probs", showReading);
  model.on("change:reading", showReading);
  selectTool("pen");
  showCanvas();
  showSeen();
  showReading();
}

export default { render };
