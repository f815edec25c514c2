/** Native dialogs behind the `Dialogs` the handler table asks for. */
import { type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions, dialog } from 'electron';
import { archiveDialog } from './archive-pick.js';
import { replaceQuestion } from './destination.js';
import type { Dialogs } from './handlers.js';

export function electronDialogs(parent: () => BrowserWindow | null): Dialogs {
  const open = async (options: OpenDialogOptions) => {
    const win = parent();
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  const save = async (options: SaveDialogOptions) => {
    const win = parent();
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return result.canceled ? null : (result.filePath ?? null);
  };
  return {
    chooseFolder: () => open({ title: 'Choose the image folder', properties: ['openDirectory', 'dontAddToRecent'] }),
    chooseArchive: () => open(archiveDialog),
    chooseOutput: (suggested) =>
      save({
        title: 'Write the arrays to',
        defaultPath: suggested || undefined,
        filters: [
          { name: 'NumPy archive (.npz)', extensions: ['npz'] },
          { name: 'Folder of .npy files', extensions: ['*'] },
        ],
        // Replacing is confirmed by main when the conversion starts, naming what is there.
        properties: ['createDirectory'],
      }),
    chooseArrayFile: () =>
      open({ title: 'Open arrays', properties: ['openFile'], filters: [{ name: 'NumPy arrays', extensions: ['npz', 'npy'] }] }),
    chooseLabels: () =>
      open({ title: 'Choose the labels file', properties: ['openFile'], filters: [{ name: 'Labels (.csv)', extensions: ['csv'] }] }),
    confirmReplace: async (existing) => {
      const win = parent();
      const question = replaceQuestion(existing);
      const { response } = win ? await dialog.showMessageBox(win, question) : await dialog.showMessageBox(question);
      return question.buttons[response] === 'Replace';
    },
  };
}
