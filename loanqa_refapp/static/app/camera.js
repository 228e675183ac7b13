// The front camera through getUserMedia, and the burst of frames liveness needs: several frames
// over time, so the service can see a blink rather than a photo held up to the lens.

const MAX_WIDTH = 480;

export async function startCamera(video) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error("getUserMedia unavailable");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
  video.srcObject = stream;
  await video.play();
  if (!video.videoWidth) await new Promise((resolve) => video.addEventListener("loadeddata", resolve, { once: true }));
  return stream;
}

export function stopCamera(video) {
  const stream = video.srcObject;
  if (stream) for (const track of stream.getTracks()) track.stop();
  video.srcObject = null;
}

function grab(video, canvas) {
  const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/jpeg", 0.85);
}

export async function captureFrames(video, count = 8, intervalMs = 200) {
  const canvas = document.createElement("canvas");
  const frames = [];
  for (let i = 0; i < count; i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    frames.push(grab(video, canvas));
  }
  return frames;
}
