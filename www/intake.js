// How a file reaches the page: the file picker, a click on the drop zone,
// and a file dropped anywhere on the page (with the drop overlay while
// dragging). Each hands the File to `onFile`.

/** Wires the file `input`, the `dropZone` and the window's drag and drop to `onFile(file)`. */
export function setUpIntake({ input, dropZone, onFile }) {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = ''; // choosing the same file again still opens it
    if (file) onFile(file);
  });
  for (const button of document.querySelectorAll('[data-action="choose-file"]')) button.addEventListener('click', () => input.click());

  // A click on the empty part of the drop zone opens the picker too (its
  // buttons are the keyboard way in).
  dropZone.addEventListener('click', (event) => {
    if (event.target === dropZone || event.target.closest('.drop-visual')) input.click();
  });

  let dragDepth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  window.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth += 1;
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) document.body.classList.remove('dragging');
  });
  window.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    document.body.classList.remove('dragging');
    const file = event.dataTransfer.files?.[0];
    if (file) onFile(file);
  });
}
